package io.genworker.joblog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.genworker.kafka.KafkaAuthorization;
import io.genworker.kafka.KafkaSettings;
import io.genworker.metrics.WorkerMetrics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;

/**
 * The tracker's writes, fenced by partition ownership: one {@link PartitionTransactions} per job-log partition this
 * worker owns, opened when the partition is assigned (before its replay, so the previous owner is fenced first and
 * everything it committed is below the replay's end), closed when it is let go. Transactional ids are
 * {@code <worker.tracker.transactional-id-prefix>-<partition>}: the same for every worker, so that whoever owns a
 * partition holds its id.
 */
@ApplicationScoped
public class JobLogTransactions {

    private static final Logger LOG = Logger.getLogger(JobLogTransactions.class);
    /** The name authorization failures are reported under (see {@link KafkaAuthorization}). */
    static final String CLIENT = "transactions";
    /** Within the broker's default transaction.max.timeout.ms (15 min), which managed clusters keep. */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(5);

    private final Map<String, Object> kafka;
    private final WorkerConfig config;
    private final WorkerMetrics metrics;
    private final KafkaAuthorization authorization;
    private final Map<TopicPartition, PartitionTransactions> open = new ConcurrentHashMap<>();
    /** Open partitions whose producer was fenced or failed fatally since they were opened. */
    private final Set<TopicPartition> fenced = ConcurrentHashMap.newKeySet();

    public JobLogTransactions(@Identifier("default-kafka-broker") Map<String, Object> kafka, WorkerConfig config,
            WorkerMetrics metrics, KafkaAuthorization authorization) {
        this.kafka = kafka;
        this.config = config;
        this.metrics = metrics;
        this.authorization = authorization;
    }

    /** The transactional id that the owner of a job-log partition writes under. */
    public String transactionalId(TopicPartition partition) {
        return config.tracker().transactionalIdPrefix() + "-" + partition.partition();
    }

    /**
     * Takes the partitions' transactional ids over (fencing their previous owners and aborting what those left
     * open) and returns once all are held.
     *
     * @throws KafkaException when one is not held within {@code timeout}: the caller gives the partitions back
     */
    public void open(Collection<TopicPartition> partitions, Duration timeout) {
        List<CompletableFuture<Void>> ready = new ArrayList<>(partitions.size());
        for (TopicPartition partition : partitions) {
            PartitionTransactions previous = open.remove(partition);
            if (previous != null) {
                previous.close(Duration.ZERO);
            }
            fenced.remove(partition);
            PartitionTransactions writer = new PartitionTransactions(partition, producerProperties(partition),
                    this::fenced, e -> authorization.refused(CLIENT, "WRITE on TransactionalId "
                            + transactionalId(partition), e));
            open.put(partition, writer);
            ready.add(writer.ready());
            writer.ready().thenRun(() -> authorization.allowed(CLIENT));
        }
        try {
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while taking the job-log transactional ids over", e);
        } catch (ExecutionException e) {
            throw new KafkaException("cannot take the job-log transactional ids over: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new KafkaException("the job-log transactional ids of " + partitions + " were not taken over within "
                    + timeout);
        }
    }

    /**
     * Writes the records (built on the partition's thread) in one of the partition's transactions. Fails with
     * {@link PartitionTransactions.NotOwned} when this worker does not write the partition (not assigned, let go,
     * fenced); fails otherwise only when the transaction certainly did not commit. Answers with the offset of the
     * write's last record (-1 if not known).
     */
    public Uni<Long> send(TopicPartition partition, Supplier<List<ProducerRecord<String, byte[]>>> records) {
        // Deferred: every subscription (a retry) is a new write, to whichever writer holds the partition then.
        return Uni.createFrom().deferred(() -> {
            PartitionTransactions writer = open.get(partition);
            if (writer == null) {
                return Uni.createFrom().failure(new PartitionTransactions.NotOwned(partition, "is not owned here"));
            }
            return Uni.createFrom().completionStage(writer.send(records));
        });
    }

    /** The failure of a write refused because this worker does not own the partition (for tests of callers). */
    public static RuntimeException notOwnedFailure(TopicPartition partition) {
        return new PartitionTransactions.NotOwned(partition, "has a new owner (this worker's transactions are fenced)");
    }

    /** Whether a write failed because this worker does not (or no longer) own the partition: retrying is useless. */
    public static boolean notOwned(Throwable failure) {
        return failure instanceof PartitionTransactions.NotOwned;
    }

    /**
     * Lets the partitions go: their writes accepted so far get up to {@code wait} to commit (zero when the
     * partitions are lost and may have a new owner), the rest fail.
     */
    public void close(Collection<TopicPartition> partitions, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        List<PartitionTransactions> closing = new ArrayList<>(partitions.size());
        for (TopicPartition partition : partitions) {
            fenced.remove(partition);
            PartitionTransactions writer = open.remove(partition);
            if (writer != null) {
                writer.stopAccepting();
                closing.add(writer);
            }
        }
        // All wait within one deadline, then all are stopped, then joined: 48 partitions take one wait, not 48.
        closing.forEach(writer -> writer.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))));
        closing.forEach(PartitionTransactions::interrupt);
        closing.forEach(PartitionTransactions::join);
    }

    /** Whether any partition's writer was fenced or failed fatally (see {@link #fenced()}); cheap, for every poll. */
    public boolean anyFenced() {
        return !fenced.isEmpty();
    }

    /** Partitions still assigned whose transactions were fenced or failed fatally: their writer is gone. */
    public Set<TopicPartition> fenced() {
        return new HashSet<>(fenced);
    }

    private void fenced(TopicPartition partition) {
        if (open.containsKey(partition)) {
            fenced.add(partition);
            metrics.fenced();
        }
    }

    /** Each partition producer's buffer pool (see {@link #producerProperties}). */
    static final long PRODUCER_BUFFER_BYTES = 1024L * 1024;

    private Map<String, Object> producerProperties(TopicPartition partition) {
        Map<String, Object> props = KafkaSettings.clientProperties(kafka);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(partition));
        props.put(ProducerConfig.CLIENT_ID_CONFIG,
                KafkaSettings.clientId(kafka, config, "jobs-" + partition.partition()));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Longer than broker outages are expected to last: a transaction the coordinator times out is aborted and
        // its producer's epoch bumped, which the producer would then take for being fenced. A crashed worker's open
        // transaction does not hold readers that long: the partition's next owner aborts it when it takes the
        // transactional id over, a session timeout after the crash.
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TRANSACTION_TIMEOUT.toMillis());
        // One producer per owned partition, and a worker may own dozens: the producer's pool keeps every batch
        // buffer it ever freed, up to buffer.memory, for its whole life, so this bounds memory that is never given
        // back: with the default 32 MB (or the 8 MB used before) a worker owning 48 partitions could keep hundreds of
        // MB it never uses again. A group commit larger than this waits in send for earlier batches to leave, on the
        // partition's own thread.
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, PRODUCER_BUFFER_BYTES);
        return props;
    }

    @PreDestroy
    void stop() {
        close(new ArrayList<>(open.keySet()), Duration.ofSeconds(5));
    }
}
