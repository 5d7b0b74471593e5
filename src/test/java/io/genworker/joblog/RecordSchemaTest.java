package io.genworker.joblog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.job.Cancellation;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobError;
import io.genworker.job.JobRecord;
import io.genworker.job.Video;
import io.genworker.job.VideoArchive;
import io.genworker.joblog.RecordSchema.Known;
import io.genworker.joblog.RecordSchema.Reading;
import io.genworker.joblog.RecordSchema.Reason;
import io.genworker.joblog.RecordSchema.Unknown;
import io.genworker.joblog.RecordSchema.Unreadable;

/** Which job-log records a worker acts on, which hold their partition, and which are skipped as nobody's. */
class RecordSchemaTest {

    /** Configured as Quarkus configures the mapper JobLog decodes with: unknown properties are ignored. */
    private static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final JobRecord SUBMITTED = JobRecord.requested("job-1", "aimlapi", "pixverse/v5/text-to-video",
            MAPPER.createObjectNode().put("prompt", "a cat"), null, NOW, NOW.plusSeconds(600))
            .submitting(NOW).submitted("gen-1", null, NOW);

    // ---- headers ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "schema {0}, state {1}")
    @CsvSource(nullValues = "none", value = {
        "none, none",            // written before either header existed
        "none, SUBMITTED",       // written before the schema header
        "1, REQUESTED",
        "1, CANCELLED",          // known though nothing writes it yet
        "1, none" })
    void aRecordOfAKnownVersionAndStateIsActedOn(String version, String state) {
        assertThat(RecordSchema.checkHeaders(version, state)).isEmpty();
    }

    @ParameterizedTest(name = "schema {0}, state {1}")
    @CsvSource(nullValues = "none", value = {
        "5, SUBMITTED,        schema version 5 (this worker knows 4)",
        "17, none,            schema version 17 (this worker knows 4)",
        "5, CANCEL_REQUESTED, schema version 5 (this worker knows 4)",
        "two, SUBMITTED,      unreadable schema version 'two' (this worker knows 4)",
        "0, SUBMITTED,        unreadable schema version '0' (this worker knows 4)",
        "-1, SUBMITTED,       unreadable schema version '-1' (this worker knows 4)",
        "1.1, SUBMITTED,      unreadable schema version '1.1' (this worker knows 4)",
        "99999999999, none,   unreadable schema version '99999999999' (this worker knows 4)" })
    void aNewerOrUnreadableSchemaVersionHolds(String version, String state, String what) {
        assertThat(RecordSchema.checkHeaders(version, state)).contains(new Unknown(Reason.VERSION, what));
    }

    @Test
    void anEmptySchemaHeaderIsNoVersionEither() {
        assertThat(RecordSchema.checkHeaders("", "SUBMITTED")).map(Unknown::reason).contains(Reason.VERSION);
    }

    @ParameterizedTest(name = "schema {0}, state {1}")
    @CsvSource(nullValues = "none", value = {
        "1, SUSPENDED",          // a kind added without a version bump is still caught by its name
        "none, PAUSED",
        "1, submitted",          // states are upper case: another spelling is not this worker's
        "1, ''" })
    void anUnknownStateInTheHeaderHolds(String version, String state) {
        assertThat(RecordSchema.checkHeaders(version, state))
                .contains(new Unknown(Reason.KIND, "unknown state '" + state + "'"));
    }

    @Test
    void whatThisWorkerWritesPassesItsOwnCheck() {
        String written = new String(RecordSchema.header(SUBMITTED), StandardCharsets.US_ASCII);

        assertThat(written).as("the kinds of version 1 need no more of their readers").isEqualTo("1");
        assertThat(RecordSchema.checkHeaders(written, SUBMITTED.state().name())).isEmpty();
    }

    @Test
    void aRefusalNeedsVersionTwoSoThatAnOlderWorkerHoldsItsPartitionRatherThanLeaveItUnanswered() {
        JobRecord refusal = JobRecord.refusal("r", "aimlapi", "m", null,
                JobError.of(ErrorCode.INVALID_REQUEST, "bad"), Instant.now());
        String written = new String(RecordSchema.header(refusal), StandardCharsets.US_ASCII);

        assertThat(written).isEqualTo("2");
        assertThat(RecordSchema.checkHeaders(written, "REFUSED")).isEmpty();
    }

    @Test
    void anArchivingRecordAndAStoredCopyNeedVersionThreeSoThatAnOlderWorkerNeitherDropsNorHalfAnswersThem() {
        Video video = new Video("https://cdn.example/v.mp4", "video/mp4", "v.mp4", 10L);
        JobRecord archiving = SUBMITTED.archiving(video, null, 3, Instant.now());
        JobRecord archived = archiving.archived(new VideoArchive("b", "k", "https://s3/b/k", "ab", 10), Instant.now());
        JobRecord unarchived = archiving.completedUnarchived(JobError.of(ErrorCode.ARCHIVE_FAILED, "gone"),
                Instant.now());

        for (JobRecord record : List.of(archiving, archived, unarchived)) {
            String written = new String(RecordSchema.header(record), StandardCharsets.US_ASCII);
            assertThat(written).as(record.state().name()).isEqualTo("3");
            assertThat(RecordSchema.checkHeaders(written, record.state().name())).isEmpty();
        }
        assertThat(new String(RecordSchema.header(SUBMITTED.completed(video, null, 3, Instant.now())),
                StandardCharsets.US_ASCII)).as("a completion without archiving is version 1").isEqualTo("1");
    }

    @Test
    void cancellationAndRetriesNeedVersionFourSoThatAnOlderWorkerNeverRunsAJobItsSenderStopped() {
        Cancellation asked = Cancellation.requested(Instant.now(), "no longer needed", "ops");
        JobRecord command = JobRecord.cancelRequest("j", asked, Instant.now());
        JobRecord cancelled = SUBMITTED.cancelled(asked.ended(Cancellation.Outcome.MAY_BE_BILLED), 2, Instant.now());
        JobRecord retry = JobRecord.requested("j.retry-1", "aimlapi", "m", null, null, Instant.now(), Instant.now(),
                "j");

        for (JobRecord record : List.of(command, cancelled, retry)) {
            String written = new String(RecordSchema.header(record), StandardCharsets.US_ASCII);
            assertThat(written).as(record.state().name()).isEqualTo("4")
                    .isEqualTo(Integer.toString(RecordSchema.VERSION));
            assertThat(RecordSchema.checkHeaders(written, record.state().name())).isEmpty();
        }
    }

    @Test
    void anEchoedHeaderIsCut() {
        String huge = "X".repeat(10_000);

        assertThat(RecordSchema.checkHeaders("1", huge)).get().extracting(Unknown::what)
                .isEqualTo("unknown state '" + "X".repeat(100) + "...'");
    }

    // ---- bodies ----------------------------------------------------------------------------------------------

    @Test
    void aSnapshotThisWorkerWroteIsKnown() throws Exception {
        assertThat(read(MAPPER.writeValueAsBytes(SUBMITTED))).isEqualTo(new Known(SUBMITTED));
    }

    @Test
    void anAddedOptionalFieldNeedsNoBump() throws Exception {
        ObjectNode body = snapshot().put("archiveAfter", "2026-02-01T00:00:00Z");

        assertThat(read(body)).isEqualTo(new Known(SUBMITTED));
    }

    @Test
    void anUnknownStateInTheBodyHolds() throws Exception {
        assertThat(read(snapshot().put("state", "SUSPENDED")))
                .isEqualTo(new Unknown(Reason.KIND, "unknown state 'SUSPENDED'"));
    }

    @Test
    void anUnknownErrorCodeHolds() throws Exception {
        ObjectNode failed = snapshot().put("state", "FAILED");
        failed.putObject("error").put("code", "ARCHIVED").put("message", "moved to cold storage");

        assertThat(read(failed)).isEqualTo(new Unknown(Reason.KIND, "unknown value 'ARCHIVED' of error.code"));
    }

    @Test
    void aFieldOfAnotherTypeHolds() throws Exception {
        Reading reading = read(snapshot().put("polls", "many"));

        assertThat(reading).isInstanceOf(Unknown.class);
        assertThat(((Unknown) reading).reason()).isEqualTo(Reason.KIND);
        assertThat(((Unknown) reading).what()).startsWith("a body this worker cannot map at polls: ");
    }

    @Test
    void anObjectWithoutStateOrJobIdIsAKindThisWorkerLacks() throws Exception {
        assertThat(read(MAPPER.createObjectNode().put("jobId", "job-1").put("cancel", true)))
                .isEqualTo(new Unknown(Reason.KIND, "a record without a state"));
        assertThat(read(MAPPER.createObjectNode().put("state", "SUBMITTED")))
                .isEqualTo(new Unknown(Reason.KIND, "a SUBMITTED record without a job id"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "not json", "{\"jobId\":\"job-1\",\"state\":\"SUBM", "", "[1, 2]", "\"text\"", "42",
        "null", "\u00ff\u00fe" })
    void bytesThatAreNoJsonObjectAreSkipped(String value) {
        assertThat(read(value.getBytes(StandardCharsets.ISO_8859_1))).isInstanceOf(Unreadable.class);
    }

    private static ObjectNode snapshot() {
        return MAPPER.valueToTree(SUBMITTED);
    }

    private static Reading read(ObjectNode body) throws Exception {
        return read(MAPPER.writeValueAsBytes(body));
    }

    private static Reading read(byte[] value) {
        return RecordSchema.read(bytes -> MAPPER.readValue(bytes, JobRecord.class), value);
    }
}
