package io.genworker.intake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.genworker.job.Deadlines;
import io.genworker.job.GenerationRequest;
import io.genworker.job.JobRecord;
import io.genworker.job.TraceContext;
import io.genworker.joblog.JobLog;
import io.genworker.kafka.TraceHeaders;
import io.genworker.metrics.WorkerMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * Reads requests in batches, turns each into a REQUESTED job-log record, a FAILED result or a dead letter, and acks
 * the batch only once the broker holds every write. Never calls a provider, never holds a record for long. A valid
 * W3C trace context on the request travels with the job.
 */
@ApplicationScoped
public class RequestIntake {

    public static final String CHANNEL = "requests";
    /**
     * Backoff of a failed write: soon after a blip, every 10 s at most through an outage (whose length does not
     * matter: the channel's commit strategy does not give up on un-acked records, see application.properties).
     */
    static final Duration WRITE_RETRY_INITIAL = Duration.ofMillis(200);
    static final Duration WRITE_RETRY_MAX = Duration.ofSeconds(10);
    private static final Logger LOG = Logger.getLogger(RequestIntake.class);

    private final RequestReader reader;
    private final CancelCommandReader commands;
    private final String controlTopic;
    private final JobLog jobLog;
    private final DeadLetterPublisher deadLetters;
    private final WorkerMetrics metrics;
    private final Deadlines deadlines;
    private final Clock clock;

    public RequestIntake(RequestReader reader, CancelCommandReader commands, JobLog jobLog,
            DeadLetterPublisher deadLetters, WorkerMetrics metrics, WorkerConfig config, Clock clock) {
        this.reader = reader;
        this.commands = commands;
        this.controlTopic = config.topics().control();
        this.jobLog = jobLog;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.deadlines = Deadlines.from(config.jobs());
        this.clock = clock;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onRequests(KafkaRecordBatch<String, byte[]> batch) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            records.add(record.getMetadata(IncomingKafkaRecordMetadata.class)
                    .map(IncomingKafkaRecordMetadata::getRecord)
                    .orElseThrow());
        }
        return writeAll(records).chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }

    /**
     * Completes once the broker holds the write of every record. Until then the batch stays un-acked; a failed write
     * is retried on its own, rather than nacked (a nacked request would be committed past and lost) or retried with
     * the whole batch (which would publish again the refusals and dead letters that had already landed).
     */
    Uni<Void> writeAll(List<ConsumerRecord<String, byte[]>> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        AtomicBoolean warned = new AtomicBoolean();
        List<Uni<Void>> writes = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> raw : records) {
            writes.add(handle(raw)
                    .onFailure().invoke(e -> {
                        // One line per batch: in an outage every write of it fails, again and again.
                        if (warned.compareAndSet(false, true)) {
                            LOG.warnf("intake write failed, retrying each failed write of the batch: %s",
                                    e.getMessage());
                        }
                    })
                    .onFailure().retry().withBackOff(WRITE_RETRY_INITIAL, WRITE_RETRY_MAX).indefinitely());
        }
        return Uni.join().all(writes).andFailFast().replaceWithVoid();
    }

    Uni<Void> handle(ConsumerRecord<String, byte[]> raw) {
        if (controlTopic.equals(raw.topic())) {
            return command(raw);
        }
        String fallbackId = "invalid-" + raw.topic() + "-" + raw.partition() + "-" + raw.offset();
        ReadOutcome outcome = reader.read(raw.key(), raw.value(), fallbackId);
        TraceContext trace = TraceHeaders.read(raw.headers()).orElse(null);
        Instant now = clock.instant();
        if (outcome instanceof ReadOutcome.Valid valid) {
            GenerationRequest request = valid.request();
            JobRecord job = JobRecord.requested(request.jobId(), request.provider(), request.model(),
                    request.input(), request.metadata(), now, deadlines.deadline(now, request.timeoutSeconds()),
                    request.retryOf()).withTrace(trace);
            return jobLog.append(job).invoke(() -> metrics.received(job.provider(), job.model()));
        }
        if (outcome instanceof ReadOutcome.Invalid invalid) {
            metrics.rejected(invalid.error().code().name().toLowerCase());
            // Through the job log, not straight to the results: only the tracker knows whether the job id is in
            // flight or finished already, and a job id gets one answer.
            return jobLog.append(JobRecord.refusal(invalid.jobId(), invalid.provider(), invalid.model(),
                    invalid.metadata(), invalid.error(), now).withTrace(trace));
        }
        metrics.rejected("undecodable");
        return deadLetters.send(raw, ((ReadOutcome.Undecodable) outcome).reason());
    }

    /**
     * A cancel command goes into the job log beside the job's own records, where the job's owner reads it in order
     * with them and carries it out (see docs/flow.md#cancellation); anything else on the control topic is a dead
     * letter with its reason.
     */
    private Uni<Void> command(ConsumerRecord<String, byte[]> raw) {
        CancelCommandReader.Command command = commands.read(raw.key(), raw.value(), clock.instant());
        if (command instanceof CancelCommandReader.Cancel cancel) {
            return jobLog.append(JobRecord.cancelRequest(cancel.jobId(), cancel.cancellation(), clock.instant()));
        }
        metrics.rejected("control");
        return deadLetters.send(raw, ((CancelCommandReader.Unreadable) command).reason());
    }
}
