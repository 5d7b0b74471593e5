package io.genworker.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Rows of {@code index_jobs} to and from JDBC: the one place that names its columns. */
public final class JobRows {

    public static final String COLUMNS = "job_id, state, provider, model, received_at, submitted_at, finished_at, "
            + "updated_at, listed_at, polls, submit_attempts, error_code, error_message, error, provider_job_id, "
            + "credits, video_url, archive_bucket, archive_key, archive_url, video, metadata, input, retry_of, "
            + "retried_as, cancellation, log_partition, log_offset";

    /**
     * An upsert of the whole row. retried_as is written by the retry's own record (another partition's
     * transaction): a new row looks it up, an existing one keeps it.
     */
    static final String UPSERT = "INSERT INTO index_jobs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            + "?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, "
            + "COALESCE(?, (SELECT r.job_id FROM index_jobs r WHERE r.retry_of = ? ORDER BY r.listed_at DESC "
            + "LIMIT 1)), ?::jsonb, ?, ?) "
            + "ON CONFLICT (job_id) DO UPDATE SET state = EXCLUDED.state, provider = EXCLUDED.provider, "
            + "model = EXCLUDED.model, received_at = EXCLUDED.received_at, submitted_at = EXCLUDED.submitted_at, "
            + "finished_at = EXCLUDED.finished_at, updated_at = EXCLUDED.updated_at, listed_at = EXCLUDED.listed_at, "
            + "polls = EXCLUDED.polls, submit_attempts = EXCLUDED.submit_attempts, error_code = EXCLUDED.error_code, "
            + "error_message = EXCLUDED.error_message, error = EXCLUDED.error, "
            + "provider_job_id = EXCLUDED.provider_job_id, credits = EXCLUDED.credits, video_url = EXCLUDED.video_url, "
            + "archive_bucket = EXCLUDED.archive_bucket, archive_key = EXCLUDED.archive_key, "
            + "archive_url = EXCLUDED.archive_url, video = EXCLUDED.video, metadata = EXCLUDED.metadata, "
            + "input = EXCLUDED.input, retry_of = EXCLUDED.retry_of, "
            + "retried_as = COALESCE(index_jobs.retried_as, EXCLUDED.retried_as), "
            + "cancellation = EXCLUDED.cancellation, log_partition = EXCLUDED.log_partition, "
            + "log_offset = EXCLUDED.log_offset";

    private final ObjectMapper mapper;

    public JobRows(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void bindUpsert(PreparedStatement statement, IndexedJob job) throws SQLException {
        int i = 0;
        statement.setString(++i, text(job.jobId()));
        statement.setString(++i, text(job.state()));
        statement.setString(++i, text(job.provider()));
        statement.setString(++i, text(job.model()));
        setInstant(statement, ++i, job.receivedAt());
        setInstant(statement, ++i, job.submittedAt());
        setInstant(statement, ++i, job.finishedAt());
        setInstant(statement, ++i, job.updatedAt());
        setInstant(statement, ++i, job.listedAt());
        statement.setInt(++i, job.polls());
        statement.setInt(++i, job.submitAttempts());
        statement.setString(++i, text(job.errorCode()));
        statement.setString(++i, text(job.errorMessage()));
        statement.setString(++i, json(job.error()));
        statement.setString(++i, text(job.providerJobId()));
        if (job.credits() == null) {
            statement.setNull(++i, Types.DOUBLE);
        } else {
            statement.setDouble(++i, job.credits());
        }
        statement.setString(++i, text(job.videoUrl()));
        statement.setString(++i, text(job.archiveBucket()));
        statement.setString(++i, text(job.archiveKey()));
        statement.setString(++i, text(job.archiveUrl()));
        statement.setString(++i, json(job.video()));
        statement.setString(++i, json(job.metadata()));
        statement.setString(++i, json(job.input()));
        statement.setString(++i, text(job.retryOf()));
        statement.setString(++i, text(job.retriedAs()));
        statement.setString(++i, text(job.jobId()));
        statement.setString(++i, json(job.cancellation()));
        statement.setInt(++i, job.logPartition());
        statement.setLong(++i, job.logOffset());
    }

    /** The row at the result set's cursor, selected with {@link #COLUMNS}. */
    public IndexedJob read(ResultSet row) throws SQLException {
        Double credits = row.getDouble("credits");
        if (row.wasNull()) {
            credits = null;
        }
        return new IndexedJob(row.getString("job_id"), row.getString("state"), row.getString("provider"),
                row.getString("model"), instant(row, "received_at"), instant(row, "submitted_at"),
                instant(row, "finished_at"), instant(row, "updated_at"), instant(row, "listed_at"),
                row.getInt("polls"), row.getInt("submit_attempts"), row.getString("error_code"),
                row.getString("error_message"), tree(row.getString("error")), row.getString("provider_job_id"),
                credits, row.getString("video_url"), row.getString("archive_bucket"), row.getString("archive_key"),
                row.getString("archive_url"), tree(row.getString("video")), tree(row.getString("metadata")),
                tree(row.getString("input")), row.getString("retry_of"), row.getString("retried_as"),
                tree(row.getString("cancellation")), row.getInt("log_partition"), row.getLong("log_offset"));
    }

    public static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        }
    }

    public static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime time = row.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }

    /** PostgreSQL's text refuses NUL characters, which JSON strings may hold: they become U+FFFD. */
    static String text(String value) {
        return value == null || value.indexOf('\u0000') < 0 ? value : value.replace('\u0000', '\uFFFD');
    }

    String json(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            String json = mapper.writeValueAsString(node);
            // jsonb refuses the NUL escape too (and a string that spells one out literally is altered alike, rarely).
            return json.contains("\\u0000") ? json.replace("\\u0000", "\\ufffd") : json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
