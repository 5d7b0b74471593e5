package io.genworker.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class LogEntryTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant KAFKA_TIME = Instant.parse("2026-01-01T00:00:09Z");

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text.replace('\'', '"'));
    }

    @Test
    void aCompletedRecordBecomesItsSummary() throws Exception {
        LogEntry entry = LogEntry.read("j1", json("{'jobId':'j1','state':'COMPLETED','provider':'aimlapi',"
                + "'model':'m1','metadata':{'tenant':'t1'},'providerJobId':'p-9','credits':1.5,"
                + "'video':{'url':'https://v/1.mp4','archive':{'bucket':'b','key':'k/1.mp4','url':'https://s/k',"
                + "'sha256':'ab','size':3}},'receivedAt':'2026-01-01T00:00:00.123456789Z',"
                + "'submittedAt':'2026-01-01T00:00:01Z','finishedAt':'2026-01-01T00:00:05Z','polls':4,"
                + "'submitAttempts':1,'updatedAt':'2026-01-01T00:00:05Z'}"), 2, 41, KAFKA_TIME);

        IndexedJob job = entry.job();
        assertThat(job.state()).isEqualTo("COMPLETED");
        assertThat(job.provider()).isEqualTo("aimlapi");
        assertThat(job.providerJobId()).isEqualTo("p-9");
        assertThat(job.credits()).isEqualTo(1.5);
        assertThat(job.videoUrl()).isEqualTo("https://v/1.mp4");
        assertThat(job.archiveBucket()).isEqualTo("b");
        assertThat(job.archiveKey()).isEqualTo("k/1.mp4");
        assertThat(job.archiveUrl()).isEqualTo("https://s/k");
        assertThat(job.metadata().get("tenant").asText()).isEqualTo("t1");
        assertThat(job.polls()).isEqualTo(4);
        // Microseconds, as PostgreSQL keeps them.
        assertThat(job.receivedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123456Z"));
        assertThat(job.listedAt()).isEqualTo(job.receivedAt());
        assertThat(job.logPartition()).isEqualTo(2);
        assertThat(job.logOffset()).isEqualTo(41);
        assertThat(entry.transition().at()).isEqualTo(Instant.parse("2026-01-01T00:00:05Z"));
    }

    @Test
    void unknownFieldsAndStatesPassAndOddValuesAreNoValues() throws Exception {
        LogEntry entry = LogEntry.read("k", json("{'jobId':'j2','state':'SOMETHING_NEWER','future':{'x':1},"
                + "'receivedAt':'yesterday','polls':'many','error':{'code':'TIMEOUT','message':'slow'},"
                + "'cancellation':{'requestedAt':'2026-01-01T00:00:00Z','reason':'changed my mind'},"
                + "'retryOf':'j1'}"), 0, 7, KAFKA_TIME);

        IndexedJob job = entry.job();
        assertThat(job.jobId()).isEqualTo("j2");
        assertThat(job.state()).isEqualTo("SOMETHING_NEWER");
        assertThat(job.receivedAt()).isNull();
        assertThat(job.polls()).isZero();
        assertThat(job.errorCode()).isEqualTo("TIMEOUT");
        assertThat(job.retryOf()).isEqualTo("j1");
        assertThat(job.cancellation().get("reason").asText()).isEqualTo("changed my mind");
        // No time in the record: the Kafka timestamp orders it.
        assertThat(job.listedAt()).isEqualTo(KAFKA_TIME);
        assertThat(entry.transition().at()).isEqualTo(KAFKA_TIME);
        assertThat(entry.transition().detail()).isEqualTo("changed my mind");
    }

    @Test
    void theKeyNamesAJobWhoseBodyDoesNot() throws Exception {
        LogEntry entry = LogEntry.read("from-key", json("{'state':'CANCEL_REQUESTED'}"), 1, 1, KAFKA_TIME);

        assertThat(entry.job().jobId()).isEqualTo("from-key");
    }

    @Test
    void recordsOfNoJobAreNotEntries() throws Exception {
        assertThat(LogEntry.read("k", json("{'jobId':'j'}"), 0, 0, KAFKA_TIME)).isNull();
        assertThat(LogEntry.read(null, json("{'state':'REQUESTED'}"), 0, 0, KAFKA_TIME)).isNull();
        assertThat(LogEntry.read("k", json("[1,2]"), 0, 0, KAFKA_TIME)).isNull();
        assertThat(LogEntry.read("k", null, 0, 0, KAFKA_TIME)).isNull();
    }

    @Test
    void numericInstantsAreSecondsSinceTheEpoch() throws Exception {
        assertThat(LogEntry.instant(json("{'t':1767225600.5}"), "t"))
                .isEqualTo(Instant.parse("2026-01-01T00:00:00.5Z"));
    }

    @Test
    void longDetailsAreCut() throws Exception {
        LogEntry entry = LogEntry.read("k", json("{'jobId':'j','state':'CANCEL_REQUESTED','cancellation':"
                + "{'reason':'" + "x".repeat(500) + "'}}"), 0, 0, KAFKA_TIME);

        assertThat(entry.transition().detail()).hasSize(LogEntry.DETAIL_LENGTH);
    }
}
