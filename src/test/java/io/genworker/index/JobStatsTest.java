package io.genworker.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.genworker.index.JobStats.Count;
import io.genworker.index.JobStats.Failure;
import io.genworker.index.JobStats.FinishedMinute;
import io.genworker.index.JobStats.InFlight;
import io.genworker.job.Cancellation;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobError;
import io.genworker.job.JobRecord;
import io.genworker.job.Video;
import io.genworker.support.PostgresResource;

/**
 * The console's overview figures on a real PostgreSQL, over one fleet's jobs written as the indexer writes them (job
 * records through {@link LogEntry} and {@link IndexStore}), read as of a fixed {@link #NOW}.
 */
class JobStatsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Instant NOW = Instant.parse("2026-03-01T12:30:20Z");
    private static final String KLING = "kling/v2";
    private static final String WAN = "wan/2.2";
    private static DataSource fleet;
    private static JobStats stats;
    private static JobStats empty;

    @BeforeAll
    static void databases() throws SQLException {
        fleet = database("stats");
        stats = new JobStats(fleet);
        empty = new JobStats(database("stats_empty"));
        seed(new IndexStore(fleet, new JobRows(MAPPER), "generation.jobs"));
    }

    /** The fleet, minute by minute; {@code at("12:28:10")} is that time on {@link #NOW}'s day. */
    private static void seed(IndexStore store) throws SQLException {
        List<List<JobRecord>> jobs = new ArrayList<>();
        jobs.add(completed("c1", "aimlapi", KLING, "12:00:00", "12:28:10"));
        jobs.add(completed("c2", "segmind", WAN, "12:01:00", "12:28:50"));
        jobs.add(completed("c3", "segmind", WAN, "12:02:00", "12:30:05"));
        // Written after the page's now (a later read, another worker's clock): not counted.
        jobs.add(completed("c-after-now", "segmind", WAN, "12:03:00", "12:30:40"));
        jobs.add(completed("c-old", "aimlapi", KLING, "10:00:00", "11:00:00"));
        jobs.add(failed("f1", "segmind", WAN, "12:04:00", "12:27:30", ErrorCode.TIMEOUT, "no result in 20 min"));
        jobs.add(failed("f2", "aimlapi", KLING, "12:05:00", "12:29:10", ErrorCode.TIMEOUT, "timed out later"));
        jobs.add(failed("f3", "aimlapi", KLING, "12:06:00", "12:29:40", ErrorCode.PROVIDER_REJECTED, "bad prompt"));
        jobs.add(failed("f-old", "segmind", WAN, "10:00:00", "10:30:00", ErrorCode.GENERATION_FAILED, "old"));
        jobs.add(List.of(JobRecord.refused("refused", "segmind", WAN, null,
                JobError.of(ErrorCode.INVALID_REQUEST, "duration must be 5 or 10"), at("12:29:50"))));
        JobRecord cancelled = submitted("x1", "segmind", WAN, "12:07:00");
        jobs.add(List.of(cancelled, cancelled.cancelled(Cancellation.requested(at("12:28:59"), "not needed", "ops")
                .ended(Cancellation.Outcome.MAY_BE_BILLED), 3, at("12:29:00"))));

        jobs.add(List.of(requested("r1", "segmind", WAN, "12:20:00")));
        jobs.add(List.of(requested("s1", "segmind", WAN, "12:10:00"), submitted("s1", "segmind", WAN, "12:10:00")));
        // The generation finished (finishedAt) in the window, its copy is still being made: in flight, not finished.
        JobRecord archiving = submitted("a1", "segmind", WAN, "12:15:00")
                .archiving(new Video("https://cdn.example/a1.mp4", "video/mp4", null, 1L), 1.0, 4, at("12:29:30"));
        jobs.add(List.of(archiving));
        jobs.add(List.of(requested("p1", "aimlapi", KLING, "12:25:00").submitting(at("12:25:01"))));
        // A cancel asked for while the job runs: still in flight, and the oldest of its provider.
        jobs.add(List.of(submitted("k1", "aimlapi", KLING, "12:05:30"),
                JobRecord.cancelRequest("k1", Cancellation.requested(at("12:30:00"), "stop", "ops"), at("12:30:00"))));
        // A cancel of an id never requested: no provider holds it.
        jobs.add(List.of(JobRecord.cancelRequest("phantom", Cancellation.requested(at("11:50:00"), "typo", "ops"),
                at("11:50:00"))));

        List<IndexStore.Read> batch = new ArrayList<>();
        long offset = 0;
        for (List<JobRecord> job : jobs) {
            for (JobRecord record : job) {
                batch.add(new IndexStore.Read(0, offset, LogEntry.read(null, MAPPER.valueToTree(record), 0, offset,
                        record.updatedAt())));
                offset++;
            }
        }
        store.apply(batch);
    }

    @Test
    void jobsAreCountedByStateProviderAndModel() throws SQLException {
        assertThat(stats.counts()).containsExactlyInAnyOrder(
                new Count("COMPLETED", "aimlapi", KLING, 2),
                new Count("COMPLETED", "segmind", WAN, 3),
                new Count("FAILED", "aimlapi", KLING, 2),
                new Count("FAILED", "segmind", WAN, 3),
                new Count("CANCELLED", "segmind", WAN, 1),
                new Count("REQUESTED", "segmind", WAN, 1),
                new Count("SUBMITTED", "segmind", WAN, 1),
                new Count("ARCHIVING", "segmind", WAN, 1),
                new Count("SUBMITTING", "aimlapi", KLING, 1),
                new Count("CANCEL_REQUESTED", "aimlapi", KLING, 1),
                new Count("CANCEL_REQUESTED", null, null, 1));
    }

    @Test
    void everyMinuteHasAnEntryQuietOnesZeroTheLastCountedUpToNow() throws SQLException {
        assertThat(stats.finishedPerMinute(NOW, 5)).containsExactly(
                new FinishedMinute(at("12:26:00"), 0, 0, 0),
                new FinishedMinute(at("12:27:00"), 0, 1, 0),
                new FinishedMinute(at("12:28:00"), 2, 0, 0),
                // f2, f3, the refusal and x1; a1's generation ended here too, but it is still being archived.
                new FinishedMinute(at("12:29:00"), 0, 3, 1),
                new FinishedMinute(at("12:30:00"), 1, 0, 0));
    }

    @Test
    void aMinuteOfTheSeriesIsAClockMinute() throws SQLException {
        // x1 was cancelled at 12:29:00 sharp.
        assertThat(stats.finishedPerMinute(at("12:29:05"), 1)).containsExactly(
                new FinishedMinute(at("12:29:00"), 0, 0, 1));
        assertThat(stats.finishedPerMinute(at("12:29:59.999999"), 1)).containsExactly(
                new FinishedMinute(at("12:29:00"), 0, 3, 1));
    }

    @Test
    void failuresAreGroupedByErrorCodeWithTheLatestOfEach() throws SQLException {
        assertThat(stats.failures(NOW, Duration.ofHours(1), 10)).containsExactly(
                new Failure("TIMEOUT", 2, at("12:29:10"), "f2", "timed out later"),
                // Ties by code.
                new Failure("INVALID_REQUEST", 1, at("12:29:50"), "refused", "duration must be 5 or 10"),
                new Failure("PROVIDER_REJECTED", 1, at("12:29:40"), "f3", "bad prompt"));
        assertThat(stats.failures(NOW, Duration.ofHours(1), 1)).extracting(Failure::errorCode)
                .containsExactly("TIMEOUT");
        assertThat(stats.failures(NOW, Duration.ofHours(3), 10)).extracting(Failure::errorCode)
                .contains("GENERATION_FAILED");
    }

    @Test
    void eachProviderShowsItsJobsInFlightAndTheOldest() throws SQLException {
        assertThat(stats.inFlight()).containsExactly(
                new InFlight("aimlapi", 2, "k1", KLING, "CANCEL_REQUESTED", at("12:05:30"), at("12:05:31")),
                new InFlight("segmind", 3, "s1", WAN, "SUBMITTED", at("12:10:00"), at("12:10:01")));
    }

    @Test
    void anEmptyIndexHasNoCountsNoFailuresNothingInFlightAndMinutesOfZero() throws SQLException {
        assertThat(empty.counts()).isEmpty();
        assertThat(empty.failures(NOW, Duration.ofHours(1), 10)).isEmpty();
        assertThat(empty.inFlight()).isEmpty();
        assertThat(empty.finishedPerMinute(NOW, 3)).containsExactly(
                new FinishedMinute(at("12:28:00"), 0, 0, 0),
                new FinishedMinute(at("12:29:00"), 0, 0, 0),
                new FinishedMinute(at("12:30:00"), 0, 0, 0));
    }

    @Test
    void withTheIndexOffEveryFigureIsEmptyAndNoDatabaseIsAsked() throws SQLException {
        JobStats off = new JobStats(() -> false, () -> {
            throw new AssertionError("the index is off: its datasource is inactive");
        });

        assertThat(off.enabled()).isFalse();
        assertThat(off.counts()).isEmpty();
        assertThat(off.finishedPerMinute(NOW, 30)).isEmpty();
        assertThat(off.failures(NOW, Duration.ofHours(1), 10)).isEmpty();
        assertThat(off.inFlight()).isEmpty();
    }

    @Test
    void aSpanBeyondItsBoundIsRefusedBeforeAnyQuery() {
        assertThatThrownBy(() -> stats.finishedPerMinute(NOW, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stats.finishedPerMinute(NOW, JobStats.MAX_MINUTES + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stats.failures(NOW, Duration.ZERO, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stats.failures(NOW, Duration.ofHours(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReadsOfAWindowOrOfTheJobsInFlightCanUseTheirIndexes() throws SQLException {
        // The fleet is too small for the planner to prefer an index: seq scans off, any index the query can use shows.
        assertThat(plan(JobStats.IN_FLIGHT, select -> {
        })).contains("index_jobs_in_flight");
        assertThat(plan(JobStats.FINISHED_PER_MINUTE, select -> {
            select.setInt(1, 30);
            select.setLong(2, NOW.getEpochSecond());
            JobRows.setInstant(select, 3, NOW.minusSeconds(1800));
            JobRows.setInstant(select, 4, NOW);
        })).contains("index_jobs_finished");
        assertThat(plan(JobStats.FAILURES, select -> {
            JobRows.setInstant(select, 1, NOW.minusSeconds(3600));
            JobRows.setInstant(select, 2, NOW);
            select.setInt(3, 10);
        })).contains("index_jobs_finished");
    }

    private static String plan(String sql, JobStats.Parameters parameters) throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (Connection connection = fleet.getConnection()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET enable_seqscan = off");
            }
            try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql)) {
                parameters.bind(explain);
                try (ResultSet row = explain.executeQuery()) {
                    while (row.next()) {
                        plan.append(row.getString(1)).append('\n');
                    }
                }
            }
        }
        return plan.toString();
    }

    private static DataSource database(String prefix) throws SQLException {
        String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection connection = PostgresResource.server().getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        DataSource dataSource = PostgresResource.server().getDatabase("postgres", name);
        Flyway.configure().dataSource(dataSource).load().migrate();
        return dataSource;
    }

    private static Instant at(String time) {
        return Instant.parse("2026-03-01T" + time + "Z");
    }

    private static JobRecord requested(String id, String provider, String model, String received) {
        ObjectNode input = MAPPER.createObjectNode().put("prompt", "a dragon");
        return JobRecord.requested(id, provider, model, input, null, at(received), at(received).plusSeconds(1200));
    }

    /** Requested at {@code received}, submitted a second later. */
    private static JobRecord submitted(String id, String provider, String model, String received) {
        return requested(id, provider, model, received).submitting(at(received))
                .submitted("p-" + id, 1.0, at(received).plusSeconds(1));
    }

    private static List<JobRecord> completed(String id, String provider, String model, String received,
            String finished) {
        JobRecord submitted = submitted(id, provider, model, received);
        return List.of(submitted, submitted.completed(new Video("https://cdn.example/" + id + ".mp4", "video/mp4",
                null, 1L), 1.0, 5, at(finished)).withoutInput());
    }

    private static List<JobRecord> failed(String id, String provider, String model, String received, String finished,
            ErrorCode code, String message) {
        JobRecord submitted = submitted(id, provider, model, received);
        return List.of(submitted, submitted.failed(JobError.of(code, message), 5, at(finished)).withoutInput());
    }
}
