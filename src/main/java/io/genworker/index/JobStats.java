package io.genworker.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The index's figures for the operator console's overview: one query each, read-only, with a cost bounded by what
 * they show (a time window, the jobs in flight) except {@link #counts()}, which scans the index as the API's counts do.
 * With the index off every figure is empty and the database is never touched: {@link #enabled()} tells the page why.
 */
@ApplicationScoped
public class JobStats {

    /** A day of minutes: a longer span wants coarser buckets than one entry a minute. */
    public static final int MAX_MINUTES = 24 * 60;

    /** The terminal states as SQL, word for word the predicate of the index V2 adds (index_jobs_in_flight). */
    static final String TERMINAL = IndexedStates.TERMINAL.stream().map(state -> "'" + state + "'")
            .collect(Collectors.joining(", ", "(", ")"));

    static final String COUNTS = "SELECT state, provider, model, count(*) FROM index_jobs "
            + "GROUP BY state, provider, model ORDER BY state, provider, model";

    /** Buckets numbered from the first minute (epoch seconds), so that no session time zone shifts them. */
    static final String FINISHED_PER_MINUTE = "SELECT m.i, coalesce(f.completed, 0), coalesce(f.failed, 0), "
            + "coalesce(f.cancelled, 0) FROM generate_series(0, ? - 1) AS m(i) LEFT JOIN ("
            + "SELECT floor((extract(epoch FROM finished_at) - ?) / 60)::integer AS i, "
            + "count(*) FILTER (WHERE state = '" + IndexedStates.COMPLETED + "') AS completed, "
            + "count(*) FILTER (WHERE state = '" + IndexedStates.FAILED + "') AS failed, "
            + "count(*) FILTER (WHERE state = '" + IndexedStates.CANCELLED + "') AS cancelled "
            // (An ARCHIVING job has a finished_at too, the generation's end: it is still running.)
            + "FROM index_jobs WHERE finished_at >= ? AND finished_at <= ? AND state IN " + TERMINAL
            + " GROUP BY 1) f USING (i) ORDER BY m.i";

    static final String FAILURES = "SELECT error_code, jobs, finished_at, job_id, error_message FROM ("
            + "SELECT DISTINCT ON (error_code) error_code, count(*) OVER (PARTITION BY error_code) AS jobs, "
            + "finished_at, job_id, error_message FROM index_jobs "
            + "WHERE state = '" + IndexedStates.FAILED + "' AND finished_at >= ? AND finished_at <= ? "
            + "ORDER BY error_code, finished_at DESC, job_id DESC) latest ORDER BY jobs DESC, error_code LIMIT ?";

    /**
     * The window's count is taken before DISTINCT ON keeps each provider's oldest row. A row with no arrival is a
     * cancel of an id never requested (or not requested yet): no provider has it.
     */
    static final String IN_FLIGHT = "SELECT DISTINCT ON (provider) provider, count(*) OVER (PARTITION BY provider), "
            + "job_id, model, state, received_at, submitted_at FROM index_jobs "
            + "WHERE state NOT IN " + TERMINAL + " AND received_at IS NOT NULL "
            + "ORDER BY provider, received_at, job_id";

    private static final Parameters NONE = select -> {
    };

    private final BooleanSupplier enabled;
    private final Supplier<DataSource> dataSource;

    @Inject
    public JobStats(IndexDatabase database) {
        this(database::enabled, database::dataSource);
    }

    /** Figures from a database of the caller's (benchmarks). */
    public JobStats(DataSource dataSource) {
        this(() -> true, () -> dataSource);
    }

    JobStats(BooleanSupplier enabled, Supplier<DataSource> dataSource) {
        this.enabled = enabled;
        this.dataSource = dataSource;
    }

    /** How many jobs are in one state for one provider and model (provider and model null when a record had none). */
    public record Count(String state, String provider, String model, long jobs) {
    }

    /**
     * The jobs that ended in one clock minute (UTC), by terminal state.
     *
     * @param minute the minute's start
     */
    public record FinishedMinute(Instant minute, long completed, long failed, long cancelled) {

        public long total() {
            return completed + failed + cancelled;
        }
    }

    /**
     * The jobs that failed with one error code in a window, and the latest of them.
     *
     * @param errorCode null for failures that carried no code
     */
    public record Failure(String errorCode, long jobs, Instant lastAt, String lastJobId, String lastMessage) {
    }

    /**
     * A provider's jobs in flight (any state but a terminal one), and the one received first: its age against the
     * provider's result retention says whether its result may be lost.
     *
     * @param provider null for jobs whose records named none
     */
    public record InFlight(String provider, long jobs, String oldestJobId, String model, String state,
            Instant receivedAt, Instant submittedAt) {
    }

    public boolean enabled() {
        return enabled.getAsBoolean();
    }

    /** Every indexed job, counted by state, provider and model (combinations with none left out). */
    public List<Count> counts() throws SQLException {
        return select(COUNTS, NONE, row -> new Count(row.getString(1), row.getString(2), row.getString(3),
                row.getLong(4)));
    }

    /**
     * The jobs finished in each of the last minutes, oldest first, one entry a minute (zeros included): the minute
     * {@code now} falls in is the last one, counted up to {@code now}.
     *
     * @param minutes how many minutes, 1 to {@value #MAX_MINUTES}
     */
    public List<FinishedMinute> finishedPerMinute(Instant now, int minutes) throws SQLException {
        if (minutes < 1 || minutes > MAX_MINUTES) {
            throw new IllegalArgumentException("minutes must be 1 to " + MAX_MINUTES + ": " + minutes);
        }
        Instant first = firstMinute(now, minutes);
        return select(FINISHED_PER_MINUTE, select -> {
            select.setInt(1, minutes);
            select.setLong(2, first.getEpochSecond());
            JobRows.setInstant(select, 3, first);
            JobRows.setInstant(select, 4, now);
        }, row -> new FinishedMinute(first.plus(row.getInt(1), ChronoUnit.MINUTES), row.getLong(2), row.getLong(3),
                row.getLong(4)));
    }

    /** The start of the first of the {@code minutes} clock minutes that end with the one {@code now} falls in. */
    static Instant firstMinute(Instant now, int minutes) {
        return now.truncatedTo(ChronoUnit.MINUTES).minus(minutes - 1L, ChronoUnit.MINUTES);
    }

    /**
     * The error codes of the jobs that failed in the window ending at {@code now}, most failures first (then by code),
     * each with its latest failure.
     *
     * @param top most codes returned
     */
    public List<Failure> failures(Instant now, Duration window, int top) throws SQLException {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the window must be positive: " + window);
        }
        if (top < 1) {
            throw new IllegalArgumentException("top must be at least 1: " + top);
        }
        return select(FAILURES, select -> {
            JobRows.setInstant(select, 1, now.minus(window));
            JobRows.setInstant(select, 2, now);
            select.setInt(3, top);
        }, row -> new Failure(row.getString(1), row.getLong(2), JobRows.instant(row, "finished_at"), row.getString(4),
                row.getString(5)));
    }

    /** For each provider with jobs in flight, how many and the oldest of them (by arrival), by provider name. */
    public List<InFlight> inFlight() throws SQLException {
        return select(IN_FLIGHT, NONE, row -> new InFlight(row.getString(1), row.getLong(2), row.getString(3),
                row.getString(4), row.getString(5), JobRows.instant(row, "received_at"),
                JobRows.instant(row, "submitted_at")));
    }

    /** The values of a statement's placeholders. */
    interface Parameters {
        void bind(PreparedStatement select) throws SQLException;
    }

    /** One result row as a figure. */
    private interface Row<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** The rows of one query, or none without asking the database when the index is off. */
    private <T> List<T> select(String sql, Parameters parameters, Row<T> figure) throws SQLException {
        if (!enabled()) {
            return List.of();
        }
        List<T> figures = new ArrayList<>();
        try (Connection connection = dataSource.get().getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            parameters.bind(select);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    figures.add(figure.read(row));
                }
            }
        }
        return List.copyOf(figures);
    }
}
