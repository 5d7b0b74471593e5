package io.genworker.joblog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.genworker.job.JobRecord;
import io.genworker.job.Video;
import io.genworker.support.StubWorkerConfig;

/** What a replay reads of a terminal record's body: when the job finished, and nothing else. */
class JobLogTest {

    /** Configured as Quarkus configures the mapper JobLog decodes with. */
    private static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final JobRecord SUBMITTED = JobRecord.requested("job-1", "aimlapi", "pixverse/v5/text-to-video",
            MAPPER.createObjectNode().put("prompt", "a cat"), MAPPER.createObjectNode().put("tenant", "acme"), NOW,
            NOW.plusSeconds(600)).submitting(NOW).submitted("gen-1", 1.0, NOW);

    private final JobLog jobLog = new JobLog(null, MAPPER, new StubWorkerConfig());

    @Test
    void aTerminalRecordsFinishTimeIsReadAsTheFullDecodeReadsIt() throws IOException {
        JobRecord done = SUBMITTED.completed(new Video("https://v/x.mp4", "video/mp4", null, null), 1.0, 3,
                NOW.plusSeconds(90));
        byte[] body = jobLog.encode(done);

        assertThat(jobLog.finishedAtOf(body)).isEqualTo(jobLog.decode(body).finishedAt())
                .isEqualTo(NOW.plusSeconds(90));
    }

    @Test
    void aRecordWithoutAFinishTimeIsTakenAsFinishedWhenItWasLastUpdated() throws IOException {
        byte[] body = ("{\"jobId\":\"job-1\",\"state\":\"FAILED\",\"finishedAt\":null,"
                + "\"updatedAt\":\"2026-01-01T00:01:00Z\"}").getBytes(StandardCharsets.UTF_8);

        assertThat(jobLog.finishedAtOf(body)).isEqualTo(NOW.plusSeconds(60));
    }

    @Test
    void aBodyWithNeitherTimeOrNoObjectAtAllIsLeftToTheFullDecode() throws IOException {
        assertThat(jobLog.finishedAtOf("{\"jobId\":\"job-1\"}".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(jobLog.finishedAtOf("null".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThatThrownBy(() -> jobLog.finishedAtOf("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> jobLog.finishedAtOf("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);
    }
}
