package io.genworker.index;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

/**
 * The indexer's writes: a batch of job-log records, the rows they change and the partitions' next offsets, in one
 * transaction. The offsets row of each partition is locked first, so that two indexers that briefly both hold a
 * partition (during a rebalance) never apply the same records twice: the second skips what the first committed.
 */
public class IndexStore {

    private static final Logger LOG = Logger.getLogger(IndexStore.class);

    private final DataSource dataSource;
    private final JobRows rows;
    private final String topic;

    public IndexStore(DataSource dataSource, JobRows rows, String topic) {
        this.dataSource = dataSource;
        this.rows = rows;
        this.topic = topic;
    }

    /** One record read from a partition, decoded (null entry: no job's record, only its offset counts). */
    public record Read(int partition, long offset, LogEntry entry) {
    }

    /** The next offset of each partition that has one; a partition absent is read from its beginning. */
    public Map<Integer, Long> offsets(Collection<Integer> partitions) throws SQLException {
        Map<Integer, Long> found = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT log_partition, next_offset FROM index_offsets WHERE topic = ? "
                                + "AND log_partition = ANY(?)")) {
            select.setString(1, topic);
            select.setArray(2, connection.createArrayOf("integer", partitions.toArray()));
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    found.put(result.getInt(1), result.getLong(2));
                }
            }
        }
        return found;
    }

    /**
     * Applies the records (in offset order within each partition) and moves each partition's next offset past the
     * last one, in one transaction.
     *
     * @return how many records changed a job's row
     */
    public int apply(List<Read> batch) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int changed = apply(connection, batch);
                connection.commit();
                return changed;
            } catch (SQLException | RuntimeException e) {
                rollback(connection);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private int apply(Connection connection, List<Read> batch) throws SQLException {
        Map<Integer, Long> next = lockOffsets(connection, partitionsOf(batch));
        Map<Integer, Long> last = new HashMap<>();
        List<LogEntry> entries = new ArrayList<>();
        for (Read read : batch) {
            Long from = next.get(read.partition());
            if (from != null && read.offset() < from) {
                // Committed already, by this indexer before a failure or by another during a rebalance.
                continue;
            }
            last.merge(read.partition(), read.offset(), Math::max);
            if (read.entry() != null) {
                entries.add(read.entry());
            }
        }
        Map<String, IndexedJob> current = load(connection, entries);
        Map<String, IndexedJob> changed = new LinkedHashMap<>();
        Map<String, String> retries = new LinkedHashMap<>();
        List<Transition> transitions = new ArrayList<>();
        for (LogEntry entry : entries) {
            IndexedJob incoming = entry.job();
            transitions.add(entry.transition());
            IndexedJob after = JobMerge.apply(current.get(incoming.jobId()), incoming);
            if (after == null) {
                continue;
            }
            current.put(after.jobId(), after);
            changed.put(after.jobId(), after);
            if (after.retryOf() != null) {
                retries.put(after.retryOf(), after.jobId());
            }
        }
        upsert(connection, changed.values());
        insertTransitions(connection, transitions);
        linkRetries(connection, retries);
        storeOffsets(connection, last);
        return changed.size();
    }

    private static List<Integer> partitionsOf(List<Read> batch) {
        return batch.stream().map(Read::partition).distinct().sorted().toList();
    }

    /** Creates the partitions' offsets rows if missing and locks them (in partition order: no deadlock). */
    private Map<Integer, Long> lockOffsets(Connection connection, List<Integer> partitions) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO index_offsets (topic, "
                + "log_partition, next_offset) VALUES (?, ?, 0) ON CONFLICT DO NOTHING")) {
            for (int partition : partitions) {
                insert.setString(1, topic);
                insert.setInt(2, partition);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        Map<Integer, Long> next = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT log_partition, next_offset FROM "
                + "index_offsets WHERE topic = ? AND log_partition = ANY(?) ORDER BY log_partition FOR UPDATE")) {
            select.setString(1, topic);
            select.setArray(2, connection.createArrayOf("integer", partitions.toArray()));
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    next.put(result.getInt(1), result.getLong(2));
                }
            }
        }
        return next;
    }

    private Map<String, IndexedJob> load(Connection connection, List<LogEntry> entries) throws SQLException {
        Map<String, IndexedJob> found = new HashMap<>();
        if (entries.isEmpty()) {
            return found;
        }
        Object[] ids = entries.stream().map(e -> JobRows.text(e.job().jobId())).distinct().toArray();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + JobRows.COLUMNS + " FROM index_jobs WHERE job_id = ANY(?)")) {
            Array array = connection.createArrayOf("text", ids);
            select.setArray(1, array);
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    IndexedJob job = rows.read(result);
                    found.put(job.jobId(), job);
                }
            }
        }
        return found;
    }

    private void upsert(Connection connection, Collection<IndexedJob> jobs) throws SQLException {
        if (jobs.isEmpty()) {
            return;
        }
        try (PreparedStatement upsert = connection.prepareStatement(JobRows.UPSERT)) {
            for (IndexedJob job : jobs) {
                rows.bindUpsert(upsert, job);
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }

    private static void insertTransitions(Connection connection, List<Transition> transitions) throws SQLException {
        if (transitions.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO index_transitions (job_id, "
                + "log_partition, log_offset, state, at, detail) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (Transition transition : transitions) {
                insert.setString(1, JobRows.text(transition.jobId()));
                insert.setInt(2, transition.logPartition());
                insert.setLong(3, transition.logOffset());
                insert.setString(4, JobRows.text(transition.state()));
                JobRows.setInstant(insert, 5, transition.at());
                insert.setString(6, JobRows.text(transition.detail()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** The retried job names its retry: its row may live on another partition, written by another transaction. */
    private static void linkRetries(Connection connection, Map<String, String> retries) throws SQLException {
        if (retries.isEmpty()) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE index_jobs SET retried_as = ? WHERE job_id = ?")) {
            for (Map.Entry<String, String> retry : retries.entrySet()) {
                update.setString(1, JobRows.text(retry.getValue()));
                update.setString(2, JobRows.text(retry.getKey()));
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    private void storeOffsets(Connection connection, Map<Integer, Long> last) throws SQLException {
        if (last.isEmpty()) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE index_offsets SET next_offset = ? "
                + "WHERE topic = ? AND log_partition = ? AND next_offset <= ?")) {
            for (Map.Entry<Integer, Long> partition : last.entrySet()) {
                update.setLong(1, partition.getValue() + 1);
                update.setString(2, topic);
                update.setInt(3, partition.getKey());
                update.setLong(4, partition.getValue());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    /** Forgets how far a partition was read: its records are applied again from the beginning. */
    public void resetOffset(int partition) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM index_offsets WHERE topic = ? AND log_partition = ?")) {
            delete.setString(1, topic);
            delete.setInt(2, partition);
            delete.executeUpdate();
        }
    }

    /**
     * Deletes the jobs that finished before the cut-off, and their transitions, a few thousand per transaction.
     *
     * @return how many jobs were deleted
     */
    public int expire(Instant finishedBefore) throws SQLException {
        int total = 0;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement("WITH gone AS (DELETE FROM index_jobs "
                        // A cancel command for an id never requested has no end: it expires with its window.
                        + "WHERE job_id IN (SELECT job_id FROM index_jobs WHERE (finished_at < ? AND state IN"
                        // (An ARCHIVING job has a finishedAt, the generation's end, and is still running.)
                        + " ('COMPLETED', 'FAILED', 'CANCELLED')) OR (finished_at IS NULL"
                        + " AND state = 'CANCEL_REQUESTED' AND updated_at < ?) LIMIT 5000) "
                        + "RETURNING job_id), steps AS (DELETE FROM index_transitions t USING gone "
                        + "WHERE t.job_id = gone.job_id) SELECT count(*) FROM gone")) {
            int deleted;
            do {
                JobRows.setInstant(delete, 1, finishedBefore);
                JobRows.setInstant(delete, 2, finishedBefore);
                deleted = 0;
                try (ResultSet result = delete.executeQuery()) {
                    if (result.next()) {
                        deleted = result.getInt(1);
                    }
                }
                total += deleted;
            } while (deleted > 0);
        }
        return total;
    }

    /** Whether the database answers within the timeout. */
    public boolean reachable(int timeoutSeconds) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(timeoutSeconds);
        } catch (SQLException e) {
            LOG.debugf("index database unreachable: %s", e.getMessage());
            return false;
        }
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debugf("rolling back an index batch: %s", e.getMessage());
        }
    }
}
