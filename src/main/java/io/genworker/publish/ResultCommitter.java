package io.genworker.publish;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.genworker.job.JobRecord;
import io.genworker.joblog.JobLog;
import io.genworker.kafka.KafkaSettings;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;

/**
 * Publishes a finished job's result event and its terminal job-log record in one Kafka transaction, so a crash can
 * neither lose the result nor publish it twice. Jobs finishing together share a transaction (group commit): one
 * commit per batch keeps thousands of jobs per second affordable. A plain transactional producer rather than
 * SmallRye's KafkaTransactions, which allows one transaction at a time per emitter and no batching across callers.
 * Consumers of the result topic should read with isolation.level=read_committed.
 */
@ApplicationScoped
public class ResultCommitter {

    private static final Logger LOG = Logger.getLogger(ResultCommitter.class);
    private static final int MAX_BATCH = 500;

    record Pending(JobRecord terminal, CompletableFuture<Void> done) {
    }

    private final ResultPublisher results;
    private final JobLog jobLog;
    private final Map<String, Object> kafka;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Object lifecycle = new Object();
    private final Object idle = new Object();
    /** Jobs handed over and not yet committed or failed; guarded by {@code idle}. */
    private int inProgress;
    private KafkaProducer<String, byte[]> producer;
    private Thread thread;

    public ResultCommitter(ResultPublisher results, JobLog jobLog,
            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.results = results;
        this.jobLog = jobLog;
        this.kafka = kafka;
    }

    /** Completes once the result and the terminal record are committed together. */
    public Uni<Void> commit(JobRecord terminal) {
        ensureStarted();
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (idle) {
            inProgress++;
        }
        queue.add(new Pending(terminal, done));
        return Uni.createFrom().completionStage(done);
    }

    private void ensureStarted() {
        synchronized (lifecycle) {
            if (thread == null) {
                producer = newProducer();
                thread = new Thread(this::run, "result-committer");
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    private KafkaProducer<String, byte[]> newProducer() {
        Map<String, Object> props = KafkaSettings.clientProperties(kafka);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "generation-worker-results-" + UUID.randomUUID());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "generation-worker-results");
        KafkaProducer<String, byte[]> created = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer());
        created.initTransactions();
        return created;
    }

    /** The committer's own thread: waits for finished jobs and commits them in batches. */
    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                commitBatch(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            batch.addAll(queue);
            batch.forEach(p -> p.done().completeExceptionally(new IllegalStateException("worker is stopping")));
        }
    }

    private void commitBatch(List<Pending> batch) {
        try {
            commitOrFail(batch);
        } finally {
            settled(batch.size());
        }
    }

    private void commitOrFail(List<Pending> batch) {
        try {
            producer.beginTransaction();
            for (Pending pending : batch) {
                producer.send(results.record(pending.terminal()));
                producer.send(jobLog.record(pending.terminal()));
            }
            producer.commitTransaction();
            batch.forEach(p -> p.done().complete(null));
        } catch (ProducerFencedException e) {
            fail(batch, e);
            producer.close(Duration.ZERO);
            producer = newProducer();
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                LOG.warnf("abort failed, recreating the transactional producer: %s", abortFailed.getMessage());
                producer.close(Duration.ZERO);
                producer = newProducer();
            }
            fail(batch, e);
        }
    }

    private static void fail(List<Pending> batch, Exception e) {
        LOG.warnf("result transaction of %d jobs failed (they will be retried): %s", batch.size(), e.getMessage());
        batch.forEach(p -> p.done().completeExceptionally(e));
    }

    /**
     * Blocks (bounded) until every job handed over so far is committed or failed: called before a partition is
     * handed over, so that the next owner's replay sees those results.
     */
    public void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            long left;
            while (inProgress > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    idle.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void settled(int count) {
        synchronized (idle) {
            inProgress -= count;
            idle.notifyAll();
        }
    }

    @PreDestroy
    void stop() {
        synchronized (lifecycle) {
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                producer.close(Duration.ofSeconds(5));
            }
        }
    }
}
