package io.genworker.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class JobMergeTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static IndexedJob record(long offset, String json) {
        try {
            JsonNode body = MAPPER.readTree(json.replace('\'', '"'));
            return LogEntry.read("j", body, 0, offset, T0).job();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final IndexedJob REQUESTED = record(1, "{'jobId':'j','state':'REQUESTED','provider':'aimlapi',"
            + "'model':'m','input':{'prompt':'a cat'},'metadata':{'tenant':'t'},'receivedAt':'2026-01-01T00:00:00Z'}");
    private static final IndexedJob SUBMITTED = record(2, "{'jobId':'j','state':'SUBMITTED','provider':'aimlapi',"
            + "'model':'m','input':{'prompt':'a cat'},'providerJobId':'p1','receivedAt':'2026-01-01T00:00:00Z',"
            + "'submittedAt':'2026-01-01T00:00:01Z','submitAttempts':1}");
    private static final IndexedJob COMPLETED = record(3, "{'jobId':'j','state':'COMPLETED','provider':'aimlapi',"
            + "'model':'m','providerJobId':'p1','video':{'url':'u'},'receivedAt':'2026-01-01T00:00:00Z',"
            + "'finishedAt':'2026-01-01T00:00:09Z','polls':3,'submitAttempts':1}");

    @Test
    void aRequestThatFollowsItsCancelFillsTheRowInInputAndAll() {
        IndexedJob cancelFirst = record(0, "{'jobId':'j','state':'CANCEL_REQUESTED','updatedAt':'2026-01-01T00:00:00Z',"
                + "'cancellation':{'requestedAt':'2026-01-01T00:00:00Z'}}");

        IndexedJob filled = JobMerge.apply(cancelFirst, REQUESTED);

        assertThat(filled).isNotNull();
        assertThat(filled.input().get("prompt").asText()).as("a retry of it needs the input").isEqualTo("a cat");
        assertThat(filled.model()).isEqualTo("m");
    }

    @Test
    void aNewJobIsItsRecord() {
        assertThat(JobMerge.apply(null, REQUESTED)).isEqualTo(REQUESTED);
    }

    @Test
    void laterRecordsKeepTheFirstInputSeen() {
        IndexedJob done = JobMerge.apply(JobMerge.apply(REQUESTED, SUBMITTED), COMPLETED);

        assertThat(done.state()).isEqualTo("COMPLETED");
        assertThat(done.input().get("prompt").asText()).isEqualTo("a cat");
        assertThat(done.metadata().get("tenant").asText()).isEqualTo("t");
        assertThat(done.videoUrl()).isEqualTo("u");
        assertThat(done.submittedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:01Z"));
        assertThat(done.logOffset()).isEqualTo(3);
    }

    @Test
    void aRecordReadAgainChangesNothing() {
        IndexedJob submitted = JobMerge.apply(REQUESTED, SUBMITTED);

        assertThat(JobMerge.apply(submitted, SUBMITTED)).isNull();
        assertThat(JobMerge.apply(submitted, REQUESTED)).isNull();
    }

    @Test
    void aCancelOfAFinishedJobIsATransitionOnly() {
        IndexedJob cancel = record(4, "{'jobId':'j','state':'CANCEL_REQUESTED','cancellation':"
                + "{'requestedAt':'2026-01-01T00:00:10Z'},'updatedAt':'2026-01-01T00:00:10Z'}");

        assertThat(JobMerge.apply(COMPLETED, cancel)).isNull();
    }

    @Test
    void aCancelOfARunningJobSetsItsStateAndKeepsTheRest() {
        IndexedJob cancel = record(4, "{'jobId':'j','state':'CANCEL_REQUESTED','cancellation':"
                + "{'requestedAt':'2026-01-01T00:00:10Z','reason':'r'},'updatedAt':'2026-01-01T00:00:10Z'}");
        IndexedJob after = JobMerge.apply(JobMerge.apply(REQUESTED, SUBMITTED), cancel);

        assertThat(after.state()).isEqualTo("CANCEL_REQUESTED");
        assertThat(after.provider()).isEqualTo("aimlapi");
        assertThat(after.providerJobId()).isEqualTo("p1");
        assertThat(after.cancellation().get("reason").asText()).isEqualTo("r");

        IndexedJob cancelled = JobMerge.apply(after, record(5, "{'jobId':'j','state':'CANCELLED','provider':"
                + "'aimlapi','model':'m','cancellation':{'outcome':'MAY_BE_BILLED'},"
                + "'finishedAt':'2026-01-01T00:00:11Z'}"));
        assertThat(cancelled.state()).isEqualTo("CANCELLED");
        assertThat(cancelled.cancellation().get("outcome").asText()).isEqualTo("MAY_BE_BILLED");
        assertThat(cancelled.input()).isNotNull();
    }

    @Test
    void aRepeatedRequestOrARefusalOfAKnownJobIsATransitionOnly() {
        IndexedJob repeated = record(4, "{'jobId':'j','state':'REQUESTED','provider':'segmind','model':'x',"
                + "'receivedAt':'2026-01-01T01:00:00Z'}");
        IndexedJob refusal = record(5, "{'jobId':'j','state':'REFUSED','error':{'code':'INVALID_REQUEST'}}");
        IndexedJob submitted = JobMerge.apply(REQUESTED, SUBMITTED);

        assertThat(JobMerge.apply(submitted, repeated)).isNull();
        assertThat(JobMerge.apply(submitted, refusal)).isNull();
        assertThat(JobMerge.apply(COMPLETED, repeated)).isNull();
    }

    @Test
    void aSubmissionRefusedByTheProviderGoesBackToRequested() {
        IndexedJob again = record(4, "{'jobId':'j','state':'REQUESTED','provider':'aimlapi','model':'m',"
                + "'receivedAt':'2026-01-01T00:00:00Z','submitAttempts':1}");

        assertThat(JobMerge.apply(JobMerge.apply(REQUESTED, SUBMITTED), again).state()).isEqualTo("REQUESTED");
    }

    @Test
    void aRetryKeepsItsLinkToTheRetriedJob() {
        IndexedJob retried = REQUESTED.retriedAs("j.retry-1");

        assertThat(JobMerge.apply(retried, SUBMITTED).retriedAs()).isEqualTo("j.retry-1");
    }
}
