package io.genworker.joblog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.genworker.kafka.KafkaAuthorization;
import io.genworker.kafka.KafkaSettings;
import io.genworker.metrics.WorkerMetrics;
import io.smallrye.common.annotation.Identifier;

/**
 * Reads the job-log partitions assigned to this worker and feeds the tracker. A plain consumer on its own thread
 * rather than a channel, because the tracker needs what the connector hides: seeking to the beginning on every
 * assignment, the end offsets at that moment, the consumer's position to know when a replay is over, a revocation
 * that blocks until the tracker has let go, and pausing partitions when too many jobs are in flight. It never
 * commits offsets: every owner of a partition replays it.
 */
@ApplicationScoped
public class JobLogConsumer {

    private static final Logger LOG = Logger.getLogger(JobLogConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final Duration RESTART_PAUSE = Duration.ofSeconds(5);
    /** A hand-over's steps after the wait for submissions: flush, result commits (10 s), closing (10 s). */
    private static final Duration HAND_OVER_MARGIN = Duration.ofSeconds(30);
    /** Records handed to the tracker and not applied yet beyond which fetching pauses: a few polls' worth. */
    private static final int MAX_PENDING_RECORDS = 10_000;
    /** This consumer's role in its client id and in {@link KafkaAuthorization}. */
    static final String CLIENT = "tracker";
    /** How long an assignment waits to take its partitions' transactional ids over before it is given back. */
    private static final Duration TAKE_OVER_WAIT = Duration.ofSeconds(60);
    /** How long a hand-over lets the writes already sent for its partitions commit. */
    private static final Duration COMMIT_WAIT = Duration.ofSeconds(10);

    private final JobLogListener tracker;
    private final Map<String, Object> kafka;
    private final WorkerConfig config;
    private final WorkerMetrics metrics;
    private final OwnershipLease lease;
    private final KafkaAuthorization authorization;
    private final JobLogTransactions transactions;
    private final Map<TopicPartition, Long> replayEnds = new HashMap<>();
    /**
     * Partitions whose writer was fenced, dropped here and waiting for the rebalance this worker asked for: still
     * assigned to it at the end of that rebalance (the group had not moved them after all), they are taken up again
     * as if newly assigned.
     */
    private final Set<TopicPartition> toReopen = new HashSet<>();
    /** Partitions rewound and paused at the cap of jobs in flight. */
    private final Set<TopicPartition> heldBack = new HashSet<>();
    private volatile KafkaConsumer<String, byte[]> consumer;
    /** Reads uncommitted, for the high watermarks only; used on the consumer's thread. */
    private KafkaConsumer<String, byte[]> offsets;
    private volatile boolean stopping;
    /**
     * Set by an assignment, cleared once its replays have ended: then the group (its assignment) and the topic (the
     * replay's fetches) both answered, and a refusal recorded before is over.
     */
    private boolean provingAccess;
    private AutoCloseable consumerMetrics;
    private Thread thread;

    public JobLogConsumer(JobLogListener tracker, @Identifier("default-kafka-broker") Map<String, Object> kafka,
            WorkerConfig config, WorkerMetrics metrics, OwnershipLease lease, JobLogTransactions transactions,
            KafkaAuthorization authorization) {
        this.tracker = tracker;
        this.transactions = transactions;
        this.kafka = kafka;
        this.config = config;
        this.metrics = metrics;
        this.lease = lease;
        this.authorization = authorization;
    }

    public void start() {
        consumer = newConsumer();
        lease.renewed();
        thread = new Thread(this::run, "job-log-consumer");
        thread.start();
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        KafkaConsumer<String, byte[]> created = new KafkaConsumer<>(consumerProperties(kafka, config),
                new StringDeserializer(), new ByteArrayDeserializer());
        try {
            consumerMetrics = metrics.kafkaClient(created);
            lease.heartbeats(heartbeatSecondsAgo(created));
        } catch (RuntimeException e) {
            created.close(Duration.ZERO);
            throw e;
        }
        return created;
    }

    static Map<String, Object> consumerProperties(Map<String, Object> kafka, WorkerConfig config) {
        Map<String, Object> props = KafkaSettings.clientProperties(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.tracker().groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, KafkaSettings.clientId(kafka, config, CLIENT));
        // With the KIP-848 protocol the broker owns these (group.consumer.session.timeout.ms and
        // heartbeat.interval.ms, its server-side assignors are incremental): a consumer that sets them fails.
        if (!KafkaSettings.consumerGroupProtocol(kafka)) {
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.tracker().sessionTimeout().toMillis());
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                    (int) Math.max(500, config.tracker().sessionTimeout().toMillis() / 4));
            // Incremental rebalances: a member joining or leaving moves only the partitions that change owner, and
            // every other worker keeps driving its jobs (the eager default revoked every partition of every member).
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        config.tracker().instanceId().filter(id -> !id.isBlank())
                .ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        return props;
    }

    /**
     * The client's own "last-heartbeat-seconds-ago" gauge, looked up once here (metrics() may not be called while
     * another thread polls); reading a metric's value is safe from any thread. NaN when the client has none.
     */
    private static DoubleSupplier heartbeatSecondsAgo(KafkaConsumer<?, ?> consumer) {
        return consumer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("last-heartbeat-seconds-ago"))
                .map(e -> (DoubleSupplier) () -> e.getValue().metricValue() instanceof Number n
                        ? n.doubleValue() : Double.NaN)
                .findFirst()
                .orElse(() -> Double.NaN);
    }

    /** Whether the consumer loop is alive (for liveness and readiness). */
    public boolean running() {
        return thread != null && thread.isAlive();
    }

    /** Time since the loop last returned from a poll; it polls every 200 ms unless stuck. */
    public Duration sinceLastPoll() {
        return lease.sinceRenewed();
    }

    public void stop() {
        if (thread == null) {
            return;
        }
        stopping = true;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            // Long enough for the hand-over: submissions answered, writes flushed, results committed, group left.
            thread.join(config.tracker().handOverWait().plus(HAND_OVER_MARGIN).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Consumes until stopped. A consumer that fails (a broker call timing out inside a rebalance callback, say)
     * hands its partitions back and is replaced by a new one after a pause, so the worker heals without a restart;
     * the new member gets partitions again and replays them.
     */
    private void run() {
        while (true) {
            if (consumer != null && consumeUntilStopped()) {
                return;
            }
            // An interrupt left by a failed hand-over would make the pause spin and the next consumer fail.
            Thread.interrupted();
            long resumeAt = System.nanoTime() + RESTART_PAUSE.toNanos();
            // This thread only ever consumes the job log, so waiting here holds up no job.
            while (!stopping && System.nanoTime() < resumeAt) {
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
            if (stopping) {
                return;
            }
            try {
                consumer = newConsumer();
            } catch (RuntimeException e) {
                // The broker's name may not resolve during the very outage that failed the last consumer.
                LOG.errorf("cannot create a new job-log consumer yet, retrying in %s: %s", RESTART_PAUSE,
                        e.getMessage());
                consumer = null;
            }
        }
    }

    /** @return true when stopped on purpose, false when the consumer failed and was closed */
    private boolean consumeUntilStopped() {
        boolean stopped = false;
        try {
            consumer.subscribe(List.of(config.topics().jobs()), new Rebalance());
            // stop() wakes the consumer it sees; one created just after that ends here within a poll.
            while (!stopping) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL_TIMEOUT);
                lease.renewed();
                dropFenced();
                if (!records.isEmpty()) {
                    tracker.records(admitted(records));
                }
                checkReplays();
                if (provingAccess && replayEnds.isEmpty()) {
                    provingAccess = false;
                    authorization.allowed(CLIENT);
                }
                applyBackpressure();
            }
        } catch (WakeupException e) {
            // stop() was called: the only way out of the loop
            stopped = true;
        } catch (RuntimeException e) {
            // A missing ACL (READ on the group or on the job log) fails the poll like any other error; the next
            // consumer meets it again until an operator grants it, and meanwhile readiness names it.
            KafkaAuthorization.authorizationFailure(e).ifPresent(denied -> authorization.refused(CLIENT,
                    KafkaAuthorization.permission(denied, "READ"), denied));
            LOG.errorf(e, "job-log consumer failed; handing its partitions back and starting a new one in %s",
                    RESTART_PAUSE);
        } finally {
            boolean orderly = stopped || stopping;
            try {
                // Stopping on purpose, the partitions are still ours until we leave: an orderly hand-over. After a
                // failure they may not be.
                letGo(consumer.assignment(), orderly);
            } catch (RuntimeException e) {
                LOG.warnf("handing the job-log partitions back: %s", e.getMessage());
            } finally {
                replayEnds.clear();
                heldBack.clear();
                toReopen.clear();
                provingAccess = false;
                try {
                    // Always closed, so the group stops counting this member as the owner of its partitions; a
                    // static member stopping on purpose leaves too, rather than hold them for a session timeout.
                    consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)).withGroupMembershipOperation(orderly
                            ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                            : CloseOptions.GroupMembershipOperation.DEFAULT));
                } catch (RuntimeException e) {
                    LOG.warnf("closing the job-log consumer: %s", e.getMessage());
                }
                closeMetrics();
                closeOffsets();
            }
        }
        return stopped || stopping;
    }

    private void closeMetrics() {
        try {
            consumerMetrics.close();
        } catch (Exception e) {
            LOG.debugf("closing the job-log consumer's metrics: %s", e.getMessage());
        }
    }

    /**
     * A partition whose transactions were fenced has a new owner that this worker's consumer has not heard of yet
     * (it was frozen, or cut off from the coordinator): its jobs are dropped at once, as on a lost partition, and
     * the consumer rejoins the group to learn where things stand. The other partitions go on untouched.
     */
    private void dropFenced() {
        if (!transactions.anyFenced()) {
            // The common case, on every poll: no copy of the (empty) set.
            return;
        }
        Set<TopicPartition> fenced = transactions.fenced();
        fenced.retainAll(consumer.assignment());
        if (fenced.isEmpty()) {
            return;
        }
        if (KafkaSettings.consumerGroupProtocol(kafka)) {
            // KIP-848 consumers cannot be asked to rebalance: a new consumer rejoins and learns its assignment.
            throw new IllegalStateException("job-log partitions " + fenced + " were taken over by another worker"
                    + " (their transactions are fenced): starting a new consumer");
        }
        LOG.warnf("job-log partitions %s were taken over by another worker (their transactions are fenced): "
                + "dropping their jobs and rejoining the group", fenced);
        fenced.forEach(replayEnds::remove);
        heldBack.removeAll(fenced);
        try {
            tracker.lost(fenced);
        } finally {
            transactions.close(fenced, Duration.ZERO);
        }
        consumer.pause(fenced);
        toReopen.addAll(fenced);
        consumer.enforceRebalance("job-log transactions fenced");
    }

    private void checkReplays() {
        replayEnds.entrySet().removeIf(entry -> {
            if (consumer.position(entry.getKey()) >= entry.getValue()) {
                tracker.replayed(entry.getKey());
                return true;
            }
            return false;
        });
    }

    /**
     * The records the tracker takes now. A record that may start a job (see {@link JobLog#mayStartAJob}) needs a
     * free place under `max-in-flight`; at the first one without, its partition is rewound to it and paused until
     * places free, so the jobs wait in Kafka (already durable) and no more of them are in memory than the cap. The
     * other records (the tracker's own transitions, results) still pass. Replays always run to their end.
     */
    private List<ConsumerRecord<String, byte[]>> admitted(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(records.count());
        int welcome = tracker.newJobsWelcome();
        for (TopicPartition partition : records.partitions()) {
            Long replayEnd = replayEnds.get(partition);
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                boolean replay = replayEnd != null && record.offset() < replayEnd;
                if (!replay && JobLog.mayStartAJob(record.headers())) {
                    if (welcome <= 0) {
                        consumer.seek(partition, record.offset());
                        consumer.pause(List.of(partition));
                        heldBack.add(partition);
                        break;
                    }
                    welcome--;
                }
                batch.add(record);
            }
        }
        return batch;
    }

    /**
     * Resumes the partitions held back at the cap once a tenth of it is free again, and pauses every partition
     * while the tracker has many records still to apply (a long replay reads faster than it is applied), so the
     * hand-off between the two threads stays bounded.
     */
    private void applyBackpressure() {
        if (!heldBack.isEmpty() && tracker.newJobsWelcome() >= Math.max(1, config.tracker().maxInFlight() / 10)) {
            LOG.infof("%d jobs in flight: resuming %d job-log partitions", tracker.inFlight(), heldBack.size());
            heldBack.clear();
        }
        Set<TopicPartition> pause = new HashSet<>(tracker.pendingRecords() > MAX_PENDING_RECORDS
                ? consumer.assignment() : heldBack);
        pause.addAll(toReopen);
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        Set<TopicPartition> resume = new HashSet<>(consumer.paused());
        resume.removeAll(pause);
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    /**
     * Where a replay ends: the high watermark, not the end offset this read_committed consumer would report (the
     * last stable offset). A previous owner that crashed with a result transaction open hides, until that
     * transaction ends (the next owner's take-over of the partition's transactional id aborts it at once; else it
     * times out, {@link JobLogTransactions#TRANSACTION_TIMEOUT}), every record after its start from read_committed
     * readers, the SUBMITTING and SUBMITTED records it wrote next among them: a replay ending at the last stable
     * offset would find those jobs REQUESTED and submit them again. Read up to the high watermark, the replay waits for the transaction to end
     * and sees them. The offsets come from a second consumer reading uncommitted, used only for this.
     */
    private Map<TopicPartition, Long> highWatermarks(Collection<TopicPartition> partitions) {
        if (offsets == null) {
            Map<String, Object> props = KafkaSettings.clientProperties(kafka);
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, KafkaSettings.clientId(kafka, config, CLIENT + "-offsets"));
            offsets = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        }
        return offsets.endOffsets(partitions);
    }

    private void closeOffsets() {
        if (offsets != null) {
            try {
                offsets.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debugf("closing the job-log offsets consumer: %s", e.getMessage());
            }
            offsets = null;
        }
    }

    private void letGo(Collection<TopicPartition> partitions, boolean orderly) {
        if (partitions.isEmpty()) {
            return;
        }
        partitions.forEach(replayEnds::remove);
        heldBack.removeAll(partitions);
        toReopen.removeAll(partitions);
        if (!orderly) {
            try {
                tracker.lost(partitions);
            } finally {
                transactions.close(partitions, Duration.ZERO);
            }
            return;
        }
        lease.handingOver(true);
        try {
            tracker.revoked(partitions);
        } finally {
            // What the hand-over wrote (submissions' outcomes, withdrawals, results) commits before the partitions
            // move, so the next owner's replay sees it; anything later is fenced by the next owner anyway.
            transactions.close(partitions, COMMIT_WAIT);
            lease.handingOver(false);
            lease.renewed();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            // Called at the end of every rebalance, with only the partitions added by it.
            Set<TopicPartition> partitions = new HashSet<>(assigned);
            toReopen.retainAll(consumer.assignment());
            partitions.addAll(toReopen);
            toReopen.clear();
            provingAccess = true;
            if (partitions.isEmpty()) {
                return;
            }
            consumer.resume(partitions);
            // First the transactional ids: that fences the previous owners and ends what they left open, so the high
            // watermarks read next are above everything they will ever commit, and the replay sees all of it.
            transactions.open(partitions, TAKE_OVER_WAIT);
            consumer.seekToBeginning(partitions);
            replayEnds.putAll(highWatermarks(partitions));
            tracker.assigned(partitions);
            LOG.infof("assigned %s: replaying to %s", partitions, replayEnds);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            letGo(partitions, true);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            letGo(partitions, false);
        }
    }
}
