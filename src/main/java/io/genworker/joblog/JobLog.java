package io.genworker.joblog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.job.JobState;
import io.genworker.kafka.KafkaWriter;
import io.genworker.kafka.TraceHeaders;
import io.smallrye.mutiny.Uni;

/** The job log topic: every transition of every job, keyed by job id, as a full snapshot. */
@ApplicationScoped
public class JobLog {

    public static final String STATE_HEADER = "genworker-state";
    public static final String COMMAND_KEY_PREFIX = "#cancel:";
    /** Which worker wrote a record: its instance id, or host and process id. For operators and the fleet tests. */
    public static final String WRITER_HEADER = "genworker-writer";

    private final KafkaWriter writer;
    private final ObjectMapper mapper;
    private final String topic;
    private final byte[] writerName;
    private final JobRouting routing;
    private final ObjectReader finishTimes;

    public JobLog(KafkaWriter writer, ObjectMapper mapper, WorkerConfig config) {
        this.writer = writer;
        this.mapper = mapper;
        this.finishTimes = mapper.readerFor(FinishTime.class)
                .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.topic = config.topics().jobs();
        this.routing = JobRouting.from(config.topics());
        this.writerName = config.tracker().instanceId().filter(id -> !id.isBlank())
                .orElseGet(JobLog::hostAndPid).getBytes(StandardCharsets.UTF_8);
    }

    private static String hostAndPid() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "unknown-host";
            }
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    public String topic() {
        return topic;
    }

    /** Completes once the broker holds the record. */
    public Uni<Void> append(JobRecord record) {
        return writer.send(record(record)).replaceWithVoid();
    }

    /** Returns once every record already handed to {@link #append} has been answered by the broker. */
    public void flush() {
        writer.flush();
    }

    /** A new job's record (intake's REQUESTED), on the partition {@link JobRouting} gives its id. */
    public ProducerRecord<String, byte[]> record(JobRecord record) {
        return record(record, routing.partitionOf(record.jobId()));
    }

    public JobRouting routing() {
        return routing;
    }

    /**
     * The Kafka record of a transition, on the partition the job lives on (the tracker's writes: never left to the
     * key's hash over the topic's current count, which changes when partitions are added): keyed by job id, the
     * snapshot as JSON; in the headers the job's trace context, the writer, and the state, so that a reader can
     * tell what the record is without parsing it (the tracker reads back every transition it writes and only needs
     * the body of a few).
     */
    public ProducerRecord<String, byte[]> record(JobRecord record, int partition) {
        RecordHeaders headers = new RecordHeaders();
        TraceHeaders.write(record.trace(), headers);
        headers.add(STATE_HEADER, record.state().name().getBytes(StandardCharsets.US_ASCII));
        headers.add(WRITER_HEADER, writerName);
        // The schema version this record needs of its reader: see RecordSchema.
        headers.add(RecordSchema.HEADER, RecordSchema.header(record));
        return new ProducerRecord<>(topic, partition, keyOf(record), encode(record), headers);
    }

    /**
     * The key a record is written under: the job id, except for a cancel command, which has a key of its own
     * ({@value #COMMAND_KEY_PREFIX} and the job id; no job id holds a '#') on the job's partition, so that compaction,
     * which keeps the newest record of each key, never lets a command push the job's own records out of the log. A
     * command read late (a backlog, a partition held during a rolling deploy) then still finds the job's history.
     */
    public static String keyOf(JobRecord record) {
        return record.state() == JobState.CANCEL_REQUESTED ? COMMAND_KEY_PREFIX + record.jobId() : record.jobId();
    }

    /** The state a record's header names, or null when it has none (records of older versions) or it is unknown. */
    public static JobState stateOf(Headers headers) {
        Header header = headers.lastHeader(STATE_HEADER);
        if (header == null || header.value() == null) {
            return null;
        }
        try {
            return JobState.valueOf(new String(header.value(), StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Whether a record may start a job: a REQUESTED (a new request, a repeated one, or a withdrawal) or a record
     * without a state header. Counted against `max-in-flight` before it is read; the others are transitions of
     * jobs already counted.
     */
    public static boolean mayStartAJob(Headers headers) {
        JobState state = stateOf(headers);
        return state == null || state == JobState.REQUESTED || state == JobState.REFUSED;
    }

    public byte[] encode(JobRecord record) {
        try {
            return mapper.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JobRecord decode(byte[] value) throws IOException {
        return mapper.readValue(value, JobRecord.class);
    }

    /**
     * When a terminal record's job finished ({@link JobRecord#finishedAt}, else {@link JobRecord#updatedAt}), read
     * without building the rest of the snapshot: all a replay needs of a finished job besides its key and offset.
     * Null when the body has neither.
     */
    public Instant finishedAtOf(byte[] value) throws IOException {
        FinishTime times = finishTimes.readValue(value);
        if (times == null) {
            return null;
        }
        return times.finishedAt() != null ? times.finishedAt() : times.updatedAt();
    }

    /** The two times of a snapshot {@link #finishedAtOf} reads; every other field is skipped unparsed. */
    private record FinishTime(Instant finishedAt, Instant updatedAt) {
    }
}
