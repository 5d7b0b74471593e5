package io.genworker.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The index's reads for the HTTP API: one job with its transitions, a filtered page, counts by state. SQL is built
 * from fixed fragments only; every value is a bound parameter.
 */
@ApplicationScoped
public class JobSearch {

    private final BooleanSupplier enabled;
    private final Supplier<DataSource> dataSource;
    private final JobRows rows;
    private final ObjectMapper mapper;

    @Inject
    public JobSearch(IndexDatabase database, ObjectMapper mapper) {
        this(database::enabled, database::dataSource, database.rows(), mapper);
    }

    /** Reads on a database of the caller's (benchmarks). */
    public JobSearch(DataSource dataSource, ObjectMapper mapper) {
        this(() -> true, () -> dataSource, new JobRows(mapper), mapper);
    }

    private JobSearch(BooleanSupplier enabled, Supplier<DataSource> dataSource, JobRows rows, ObjectMapper mapper) {
        this.enabled = enabled;
        this.dataSource = dataSource;
        this.rows = rows;
        this.mapper = mapper;
    }

    /** A job and its transitions (in log order). */
    public record Found(IndexedJob job, List<Transition> transitions) {
    }

    /** One page, newest first; next is null on the last page. */
    public record Page(List<IndexedJob> jobs, PageCursor next) {
    }

    public boolean enabled() {
        return enabled.getAsBoolean();
    }

    public Optional<Found> find(String jobId) throws SQLException {
        try (Connection connection = dataSource.get().getConnection()) {
            IndexedJob job;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT " + JobRows.COLUMNS + " FROM index_jobs WHERE job_id = ?")) {
                select.setString(1, jobId);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    job = rows.read(row);
                }
            }
            List<Transition> transitions = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT log_partition, log_offset, state, "
                    + "at, detail FROM index_transitions WHERE job_id = ? ORDER BY log_partition, log_offset")) {
                select.setString(1, jobId);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        transitions.add(new Transition(jobId, row.getInt(1), row.getLong(2), row.getString(3),
                                JobRows.instant(row, "at"), row.getString(5)));
                    }
                }
            }
            return Optional.of(new Found(job, transitions));
        }
    }

    public Page list(JobFilter filter, PageCursor after, int limit) throws SQLException {
        Conditions where = conditions(filter);
        if (after != null) {
            where.add("(listed_at, job_id) < (?, ?)", after.listedAt(), after.jobId());
        }
        String sql = "SELECT " + JobRows.COLUMNS + " FROM index_jobs" + where.sql()
                + " ORDER BY listed_at DESC, job_id DESC LIMIT ?";
        List<IndexedJob> jobs = new ArrayList<>();
        try (Connection connection = dataSource.get().getConnection();
                PreparedStatement select = connection.prepareStatement(sql)) {
            int next = where.bind(connection, select);
            select.setInt(next, limit + 1);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    jobs.add(rows.read(row));
                }
            }
        }
        if (jobs.size() <= limit) {
            return new Page(jobs, null);
        }
        List<IndexedJob> page = List.copyOf(jobs.subList(0, limit));
        IndexedJob last = page.get(limit - 1);
        return new Page(page, new PageCursor(last.listedAt(), last.jobId()));
    }

    /** How many jobs the filter matches, by state (states with none left out). */
    public Map<String, Long> counts(JobFilter filter) throws SQLException {
        Conditions where = conditions(filter);
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = dataSource.get().getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT state, count(*) FROM index_jobs"
                        + where.sql() + " GROUP BY state ORDER BY state")) {
            where.bind(connection, select);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    counts.put(row.getString(1), row.getLong(2));
                }
            }
        }
        return counts;
    }

    private Conditions conditions(JobFilter filter) {
        Conditions where = new Conditions();
        if (!filter.states().isEmpty()) {
            where.add("state = ANY(?)", (Object) filter.states().toArray(String[]::new));
        }
        if (filter.provider() != null) {
            where.add("provider = ?", filter.provider());
        }
        if (filter.model() != null) {
            where.add("model = ?", filter.model());
        }
        if (filter.receivedAfter() != null) {
            where.add("received_at > ?", filter.receivedAfter());
        }
        if (filter.receivedBefore() != null) {
            where.add("received_at < ?", filter.receivedBefore());
        }
        if (filter.errorCode() != null) {
            where.add("error_code = ?", filter.errorCode());
        }
        if (!filter.metadata().isEmpty()) {
            ObjectNode contained = mapper.createObjectNode();
            filter.metadata().forEach(contained::put);
            where.add("metadata @> ?::jsonb", contained.toString());
        }
        return where;
    }

    /** A WHERE clause of fixed fragments and the values bound to their placeholders, in order. */
    private static final class Conditions {

        private final List<String> fragments = new ArrayList<>();
        private final List<Object> values = new ArrayList<>();

        void add(String fragment, Object... bound) {
            fragments.add(fragment);
            values.addAll(List.of(bound));
        }

        String sql() {
            return fragments.isEmpty() ? "" : " WHERE " + String.join(" AND ", fragments);
        }

        /** @return the index of the next placeholder */
        int bind(Connection connection, PreparedStatement statement) throws SQLException {
            int i = 1;
            for (Object value : values) {
                if (value instanceof String[] array) {
                    statement.setArray(i, connection.createArrayOf("text", array));
                } else if (value instanceof Instant instant) {
                    JobRows.setInstant(statement, i, instant);
                } else {
                    statement.setString(i, JobRows.text((String) value));
                }
                i++;
            }
            return i;
        }
    }
}
