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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
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
    private final String transactionalId = "generation-worker-results-" + UUID.randomUUID();
    /** Used by the committer's thread only. */
    private KafkaProducer<String, byte[]> producer;
    private Thread thread;

    public ResultCommitter(ResultPublisher results, JobLog jobLog,
            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.results = results;
        this.jobLog = jobLog;
        this.kafka = kafka;
    }

    /** Completes once the result and the terminal record are committed together. Never blocks the caller. */
    public Uni<Void> commit(JobRecord terminal) {
        ensureStarted();
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (idle) {
            inProgress++;
        }
        queue.add(new Pending(terminal, done));
        return Uni.createFrom().completionStage(done);
    }

    /**
     * Starts the committer's thread; the producer is created there, not here: initTransactions waits for the broker,
     * and the caller is the tracker's event loop.
     */
    private void ensureStarted() {
        synchronized (lifecycle) {
            if (thread == null) {
                thread = new Thread(this::run, "result-committer");
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    /**
     * The transactional producer, created and initialised on first use and after a fatal error. While the broker is
     * away initTransactions times out: it is retried, as Kafka allows, so the thread waits for the broker rather
     * than dying. One transactional id for the life of the process, so a replacement fences its predecessor.
     */
    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> props = KafkaSettings.clientProperties(kafka);
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "generation-worker-results");
            // A transaction here lives for milliseconds. The default (60 s) would let a crashed worker's open
            // transaction hold every read_committed reader of the job log, the next owner's replay included, for a
            // minute; 15 s bounds that and leaves room for a slow commit.
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 15_000);
            KafkaProducer<String, byte[]> created = new KafkaProducer<>(props, new StringSerializer(),
                    new ByteArraySerializer());
            try {
                retryOnTimeout("initTransactions", created::initTransactions);
            } catch (KafkaException e) {
                created.close(Duration.ZERO);
                throw e;
            }
            producer = created;
        }
        return producer;
    }

    /** The committer's own thread: waits for finished jobs and commits them in batches. */
    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (!Thread.currentThread().isInterrupted()) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                try {
                    commitBatch(batch);
                } catch (InterruptException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Nothing may end this thread but a stop: every job finishing later would wait forever.
                    LOG.errorf(e, "result commit of %d jobs failed unexpectedly; they will be retried", batch.size());
                    discardProducer();
                    batch.forEach(p -> p.done().completeExceptionally(e));
                }
                batch.clear();
            }
        } catch (InterruptedException | InterruptException e) {
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

    /**
     * A batch is reported failed (and its jobs retried) only when its transaction is certainly not committed:
     * aborted, or never begun. A commit that times out (the broker went away) may still complete, so it is retried
     * until it is known, never abandoned for a new transaction that would publish the results a second time.
     */
    private void commitOrFail(List<Pending> batch) {
        KafkaProducer<String, byte[]> transactional;
        try {
            transactional = producer();
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            fail(batch, e);
            return;
        }
        // Records are built before the transaction begins: a job whose records cannot be built fails alone.
        List<Pending> ready = new ArrayList<>(batch.size());
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(batch.size() * 2);
        for (Pending pending : batch) {
            try {
                ProducerRecord<String, byte[]> result = results.record(pending.terminal());
                ProducerRecord<String, byte[]> terminal = jobLog.record(pending.terminal());
                records.add(result);
                records.add(terminal);
                ready.add(pending);
            } catch (RuntimeException e) {
                LOG.errorf(e, "cannot build the result of job %s", pending.terminal().jobId());
                pending.done().completeExceptionally(e);
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        batch = ready;
        try {
            transactional.beginTransaction();
            records.forEach(transactional::send);
            retryOnTimeout("commitTransaction", transactional::commitTransaction);
            batch.forEach(p -> p.done().complete(null));
        } catch (InterruptException e) {
            throw e;
        } catch (ProducerFencedException | OutOfOrderSequenceException | InvalidProducerEpochException
                | AuthorizationException | UnsupportedVersionException e) {
            // Fatal for this producer: the transaction cannot commit any more; the next batch gets a new producer.
            discardProducer();
            fail(batch, e);
        } catch (KafkaException e) {
            try {
                retryOnTimeout("abortTransaction", transactional::abortTransaction);
            } catch (InterruptException interrupted) {
                throw interrupted;
            } catch (KafkaException abortFailed) {
                LOG.warnf("abort failed, replacing the transactional producer: %s", abortFailed.getMessage());
                discardProducer();
            }
            fail(batch, e);
        }
    }

    /** Kafka lets a timed-out initTransactions, commitTransaction or abortTransaction be called again. */
    private static void retryOnTimeout(String operation, Runnable call) {
        while (true) {
            try {
                call.run();
                return;
            } catch (TimeoutException e) {
                LOG.warnf("%s timed out (is the broker away?), retrying: %s", operation, e.getMessage());
            }
        }
    }

    private void discardProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
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
                if (producer != null) {
                    producer.close(Duration.ofSeconds(5));
                }
            }
        }
    }
}
