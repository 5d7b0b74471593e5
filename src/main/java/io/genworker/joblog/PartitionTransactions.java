package io.genworker.joblog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Everything this worker writes for one job-log partition it owns: transitions, re-assertions and results, each
 * batch in one Kafka transaction of a producer whose transactional id belongs to the partition. The next owner's
 * {@code initTransactions} under the same id fences this producer, so a worker that lost the partition without
 * knowing it (frozen past its session, cut off from the coordinator) has every later write refused by the broker,
 * its SUBMITTING among them, and never makes the paid call that would follow. Writes waiting together share a
 * transaction (group commit), so a busy partition pays one commit for many jobs.
 *
 * <p>A plain transactional producer on a thread of its own: {@code initTransactions} and {@code commitTransaction}
 * block, and SmallRye's KafkaTransactions allows one transaction at a time per emitter with no batching.
 */
final class PartitionTransactions {

    private static final Logger LOG = Logger.getLogger(PartitionTransactions.class);
    private static final int MAX_BATCH = 500;

    /** A write that is refused because this worker no longer owns the partition, or is letting it go. */
    static final class NotOwned extends IllegalStateException {
        NotOwned(TopicPartition partition, String why) {
            super("job-log partition " + partition + " " + why);
        }
    }

    private record Pending(Supplier<List<ProducerRecord<String, byte[]>>> records, CompletableFuture<Long> done) {
    }

    private final TopicPartition partition;
    private final String transactionalId;
    private final Map<String, Object> props;
    private final Consumer<TopicPartition> fenced;
    private final Consumer<AuthorizationException> refused;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Object idle = new Object();
    /** Writes accepted and not yet committed or failed; guarded by {@code idle}. */
    private int inProgress;
    private volatile boolean closed;
    private final Thread thread;
    /** Used by this partition's thread only. */
    private KafkaProducer<String, byte[]> producer;

    /**
     * @param props the producer's settings, transactional id and client id included
     * @param fenced told once when another producer took the transactional id over: the partition has a new owner
     * @param refused told of an authorization failure (a missing ACL), which no retry fixes
     */
    PartitionTransactions(TopicPartition partition, Map<String, Object> props, Consumer<TopicPartition> fenced,
            Consumer<AuthorizationException> refused) {
        this.partition = partition;
        this.props = props;
        this.transactionalId = (String) props.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        this.fenced = fenced;
        this.refused = refused;
        this.thread = new Thread(this::run, "job-log-tx-" + partition.partition());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Completes once the producer holds the partition's transactional id (the previous holder is fenced). */
    CompletableFuture<Void> ready() {
        return ready;
    }

    /**
     * Writes the records in a transaction; completes once it is committed, fails when it certainly is not (and
     * the caller may retry). The records are built on this partition's thread, before the transaction begins, so a
     * job whose records cannot be built fails alone. Completes with the offset of the write's last record (-1 if
     * the broker did not say).
     */
    CompletableFuture<Long> send(Supplier<List<ProducerRecord<String, byte[]>>> records) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        synchronized (idle) {
            if (closed) {
                done.completeExceptionally(new NotOwned(partition, "is not written by this worker any more"));
                return done;
            }
            inProgress++;
        }
        queue.add(new Pending(records, done));
        return done;
    }

    /**
     * Stops writing: waits up to {@code wait} for the writes accepted so far (zero when the partition is lost and
     * may have a new owner already), then fails the rest and closes the producer. Returns once the thread ended.
     */
    void close(Duration wait) {
        stopAccepting();
        awaitIdle(wait);
        interrupt();
        join();
    }

    /** Refuses every write from now on; those accepted already still commit. */
    void stopAccepting() {
        synchronized (idle) {
            closed = true;
        }
    }

    /** Waits, at most this long, for the writes accepted so far to commit or fail. */
    void awaitIdle(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (idle) {
            long left;
            while (inProgress > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    idle.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    /** Stops the partition's thread: what is left fails, the producer closes. */
    void interrupt() {
        thread.interrupt();
    }

    /** Returns once the thread ended (bounded). */
    void join() {
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            initialise();
        } catch (InterruptedException | InterruptException e) {
            Thread.currentThread().interrupt();
            closed();
            return;
        } catch (RuntimeException e) {
            ready.completeExceptionally(e);
            LOG.errorf("cannot take the transactional id %s for %s: %s", transactionalId, partition, e.getMessage());
            if (e instanceof AuthorizationException authorization) {
                refused.accept(authorization);
            }
            closed();
            return;
        }
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (!Thread.currentThread().isInterrupted() && producer != null) {
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                try {
                    commit(batch);
                } catch (InterruptException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Nothing may end this thread silently: the partition's writes would fail for good while
                    // readiness says UP. The writer is given up like a fenced one: the consumer starts over.
                    LOG.errorf(e, "job-log partition %s: its writer failed", partition);
                    fail(batch, e);
                    stopAfterFatal();
                    fenced.accept(partition);
                } finally {
                    settled(batch.size());
                    batch.clear();
                }
            }
        } catch (InterruptedException | InterruptException e) {
            Thread.currentThread().interrupt();
        } finally {
            closed();
        }
    }

    /**
     * Takes the transactional id over, fencing the previous owner and aborting its open transaction. While the
     * broker is away this times out: retried, as Kafka allows, until the partition is let go.
     */
    private void initialise() throws InterruptedException {
        KafkaProducer<String, byte[]> created = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer());
        producer = created;
        retryOnTimeout("initTransactions", created::initTransactions);
        ready.complete(null);
    }

    /**
     * A batch is reported failed (and its writes retried by their callers) only when its transaction is certainly
     * not committed: aborted, or never begun. A commit that times out (the broker went away) may still complete, so
     * it is retried until it is known, never abandoned for a new transaction that would write the records twice.
     */
    private void commit(List<Pending> batch) {
        List<Pending> ready = new ArrayList<>(batch.size());
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(batch.size() * 2);
        // Where each write's last record is in the batch: its offset is the write's answer.
        int[] lastOf = new int[batch.size()];
        for (Pending pending : batch) {
            try {
                records.addAll(pending.records().get());
                lastOf[ready.size()] = records.size() - 1;
                ready.add(pending);
            } catch (RuntimeException e) {
                LOG.errorf(e, "cannot build a job-log write for %s", partition);
                pending.done().completeExceptionally(e);
            }
        }
        if (ready.isEmpty()) {
            return;
        }
        try {
            producer.beginTransaction();
            List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
            records.forEach(record -> sent.add(producer.send(record)));
            retryOnTimeout("commitTransaction", producer::commitTransaction);
            for (int i = 0; i < ready.size(); i++) {
                ready.get(i).done().complete(offsetOf(sent.get(lastOf[i])));
            }
        } catch (InterruptException e) {
            fail(ready, e);
            throw e;
        } catch (ProducerFencedException e) {
            // Another worker initialised this partition's id: it owns the partition now. Never initialise again
            // here (that would fence the rightful owner); the consumer starts over and rejoins the group.
            LOG.warnf("job-log partition %s: this worker was fenced by its new owner; %d writes refused", partition,
                    ready.size());
            fail(ready, new NotOwned(partition, "has a new owner (this worker's transactions are fenced)"));
            stopAfterFatal();
            fenced.accept(partition);
        } catch (OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
            LOG.errorf("job-log partition %s: transactional producer failed: %s", partition, e.getMessage());
            fail(ready, e);
            stopAfterFatal();
            if (e instanceof AuthorizationException authorization) {
                refused.accept(authorization);
            }
            fenced.accept(partition);
        } catch (KafkaException | IllegalStateException e) {
            // Abortable (InvalidProducerEpochException included: an epoch bumped by a timed-out transaction is not
            // a new owner); an abort that fails, fenced or otherwise, leaves the producer unusable.
            try {
                retryOnTimeout("abortTransaction", producer::abortTransaction);
            } catch (InterruptException interrupted) {
                fail(ready, interrupted);
                throw interrupted;
            } catch (KafkaException | IllegalStateException abortFailed) {
                LOG.warnf("job-log partition %s: abort failed: %s", partition, abortFailed.getMessage());
                fail(ready, e);
                stopAfterFatal();
                fenced.accept(partition);
                return;
            }
            LOG.warnf("job-log transaction of %d writes on %s failed (they are retried): %s", ready.size(),
                    partition, e.getMessage());
            fail(ready, e);
        }
    }

    /** A committed send's offset: its future is complete once the commit returned (it flushes every send). */
    private static long offsetOf(Future<RecordMetadata> sent) {
        try {
            RecordMetadata metadata = sent.isDone() ? sent.get() : null;
            return metadata != null && metadata.hasOffset() ? metadata.offset() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (ExecutionException e) {
            return -1;
        }
    }

    /** Kafka lets a timed-out initTransactions, commitTransaction or abortTransaction be called again. */
    private void retryOnTimeout(String operation, Runnable call) {
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptException("partition " + partition + " let go");
            }
            try {
                call.run();
                return;
            } catch (TimeoutException e) {
                LOG.warnf("%s for %s timed out (is the broker away?), retrying: %s", operation, partition,
                        e.getMessage());
            }
        }
    }

    /** A fatal error leaves the producer unusable: this partition gets no new one until it is assigned again. */
    private void stopAfterFatal() {
        synchronized (idle) {
            closed = true;
        }
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    private static void fail(List<Pending> batch, Exception e) {
        batch.forEach(p -> p.done().completeExceptionally(e));
    }

    private void settled(int count) {
        synchronized (idle) {
            inProgress -= count;
            idle.notifyAll();
        }
    }

    /** The thread ends: whatever is still queued is refused, and the producer closed (an open transaction aborts). */
    private void closed() {
        List<Pending> left = new ArrayList<>();
        synchronized (idle) {
            closed = true;
            queue.drainTo(left);
            inProgress -= left.size();
            idle.notifyAll();
        }
        fail(left, new NotOwned(partition, "is not written by this worker any more"));
        ready.completeExceptionally(new NotOwned(partition, "was let go before its producer was ready"));
        if (producer != null) {
            // Interrupted by close(): the producer's own close would be interrupted too. Nothing is left to send
            // (the writes were waited for, or the partition is lost), so it closes at once; a transaction still
            // open on the broker is aborted by the next owner's initTransactions, or times out.
            Thread.interrupted();
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debugf("closing the producer of %s: %s", partition, e.getMessage());
            }
            producer = null;
        }
    }
}
