package io.genworker.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;

/**
 * The worker's one producer for the job log, results and dead letters (acks=all, idempotent). A plain producer
 * rather than channel emitters because every transition must be awaited individually before the job moves on,
 * and the tracker must be able to flush outstanding writes before it gives up a partition.
 * <p>
 * Nothing here waits without a bound: a send that cannot get its topic's metadata fails within
 * {@link #METADATA_WAIT} (its caller retries it), later sends to that topic fail at once for as long again instead
 * of each waiting in turn, and {@link #flush()} gives up after {@link #FLUSH_DEADLINE}. Once a send is in the
 * producer's buffer it is answered within the producer's delivery.timeout.ms (120 s by default), whatever the broker
 * does.
 */
@ApplicationScoped
public class KafkaWriter {

    /**
     * How long one send may wait for its topic's metadata (or for buffer space): the producer's max.block.ms. The
     * sends share one thread, so this is also the longest any write waits behind another. With a broker that
     * answers, metadata comes in milliseconds; the default 60 s would only hold every other write (the tracker's
     * transitions among them) for a minute behind a broker that is away, which retrying cures as well.
     */
    public static final Duration METADATA_WAIT = Duration.ofSeconds(5);
    /**
     * How long {@link #flush()} waits for outstanding writes. Its caller is the tracker handing partitions over,
     * inside a rebalance that every member of the group waits for; a write still unanswered after this is left to
     * the producer (its caller retries it or the next owner's replay shows it missing), rather than holding the
     * rebalance for the producer's 120 s delivery timeout.
     */
    public static final Duration FLUSH_DEADLINE = Duration.ofSeconds(10);

    private static final Logger LOG = Logger.getLogger(KafkaWriter.class);
    /** This producer's role in its client id and in {@link KafkaAuthorization}. */
    public static final String CLIENT = "writer";

    private final Producer<String, byte[]> producer;
    private final LongSupplier nanoTime;
    private final KafkaAuthorization authorization;
    /**
     * Topics whose last send was refused for a missing permission, and the permission: refusals are per topic,
     * so a write to another topic going through does not end them.
     */
    private final Map<String, String> refusedTopics = new ConcurrentHashMap<>();
    /** Sends subscribed to and not answered yet, queued or in the producer's buffer: what a flush waits for. */
    private final Set<CompletableFuture<RecordMetadata>> outstanding = ConcurrentHashMap.newKeySet();
    /** Topics whose last send found no metadata, and until when (nano time) sends to them fail at once. */
    private final Map<String, Long> unavailableUntil = new HashMap<>();
    /**
     * KafkaProducer.send blocks (up to max.block.ms) while it has no metadata for the topic, as when the broker is
     * away; callers are event loops, so sends are handed to this one thread, which also keeps their order.
     */
    private final ExecutorService sending = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "kafka-writer-send");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public KafkaWriter(@Identifier("default-kafka-broker") Map<String, Object> kafka, WorkerConfig config,
            KafkaAuthorization authorization) {
        this(new KafkaProducer<>(producerProperties(kafka, config), new StringSerializer(),
                new ByteArraySerializer()), System::nanoTime, authorization);
    }

    /** Over another producer and clock: for tests. */
    public KafkaWriter(Producer<String, byte[]> producer, LongSupplier nanoTime, KafkaAuthorization authorization) {
        this.producer = producer;
        this.nanoTime = nanoTime;
        this.authorization = authorization;
    }

    static Map<String, Object> producerProperties(Map<String, Object> kafka, WorkerConfig config) {
        Map<String, Object> props = KafkaSettings.clientProperties(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, KafkaSettings.clientId(kafka, config, CLIENT));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, METADATA_WAIT.toMillis());
        return props;
    }

    /**
     * Completes once the broker has the record (all in-sync replicas); fails, to be retried by the caller, when the
     * producer cannot take it (no metadata, see {@link #METADATA_WAIT}) or the broker does not answer in time.
     * Never blocks the caller; callbacks run on the producer's or the sending thread.
     */
    public Uni<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return Uni.createFrom().<RecordMetadata> emitter(emitter -> {
            CompletableFuture<RecordMetadata> answered = new CompletableFuture<>();
            outstanding.add(answered);
            answered.whenComplete((metadata, failure) -> {
                outstanding.remove(answered);
                checkAuthorization(record.topic(), failure);
                if (failure != null) {
                    emitter.fail(failure);
                } else {
                    emitter.complete(metadata);
                }
            });
            sending.execute(() -> hand(record, answered));
        });
    }

    /**
     * A send refused for a missing permission (WRITE on its topic) records the refusal, and the first send to that
     * topic that lands ends it. A refused send fails like any other and its caller retries it, so the refusal shows
     * on readiness for as long as it lasts.
     */
    private void checkAuthorization(String topic, Throwable failure) {
        if (failure == null) {
            if (refusedTopics.remove(topic) != null && refusedTopics.isEmpty()) {
                authorization.allowed(CLIENT);
            }
            return;
        }
        KafkaAuthorization.authorizationFailure(failure).ifPresent(denied -> {
            refusedTopics.put(topic, KafkaAuthorization.permission(denied, "WRITE"));
            authorization.refused(CLIENT, String.join("; ", new TreeSet<>(refusedTopics.values())),
                    denied);
        });
    }

    /** On the sending thread: gives the record to the producer unless its topic has just been found unavailable. */
    private void hand(ProducerRecord<String, byte[]> record, CompletableFuture<RecordMetadata> answered) {
        Long until = unavailableUntil.get(record.topic());
        if (until != null && nanoTime.getAsLong() - until < 0) {
            answered.completeExceptionally(new TimeoutException("no metadata for " + record.topic()
                    + " (the broker did not answer a send within " + METADATA_WAIT.toMillis() + " ms)"));
            return;
        }
        try {
            Future<RecordMetadata> handed = producer.send(record, (metadata, failure) -> {
                if (failure != null) {
                    answered.completeExceptionally(failure);
                } else {
                    answered.complete(metadata);
                }
            });
            // The producer reports a send it could not take (its wait for metadata or buffer space timed out) as
            // an already failed future, not as an exception.
            if (handed.isDone() && failedOnTimeout(handed)) {
                unavailableUntil.put(record.topic(), nanoTime.getAsLong() + METADATA_WAIT.toNanos());
            } else {
                unavailableUntil.remove(record.topic());
            }
        } catch (RuntimeException e) {
            answered.completeExceptionally(e);
        }
    }

    private static boolean failedOnTimeout(Future<RecordMetadata> handed) {
        try {
            handed.get();
            return false;
        } catch (ExecutionException e) {
            return e.getCause() instanceof TimeoutException;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits until every record sent so far (handed to the producer or still queued) is acknowledged or failed, for at
     * most {@link #FLUSH_DEADLINE}.
     *
     * @return whether they all were answered in time
     */
    public boolean flush() {
        return flush(FLUSH_DEADLINE);
    }

    boolean flush(Duration deadline) {
        CompletableFuture<?>[] pending = outstanding.toArray(CompletableFuture[]::new);
        // linger.ms is 2: the producer sends what it holds by itself, so waiting on the answers is enough and,
        // unlike producer.flush(), can be given a deadline.
        try {
            CompletableFuture.allOf(pending).exceptionally(failure -> null)
                    .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warnf("%d writes still unanswered after %d ms; not waiting longer", outstanding.size(),
                    deadline.toMillis());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @PreDestroy
    public void close() {
        sending.shutdown();
        try {
            sending.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }

}
