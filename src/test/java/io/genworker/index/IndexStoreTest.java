package io.genworker.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.support.PostgresResource;

/**
 * The index's writes on a real PostgreSQL (a database of their own on the shared server), without a worker:
 * batches applied twice, retries linked whichever record comes first, cancels of finished jobs, expiry.
 */
class IndexStoreTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOPIC = "generation.jobs";
    private static DataSource dataSource;
    private static IndexStore store;

    @BeforeAll
    static void database() throws SQLException {
        String name = "store_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection connection = PostgresResource.server().getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        dataSource = PostgresResource.server().getDatabase("postgres", name);
        Flyway.configure().dataSource(dataSource).load().migrate();
        store = new IndexStore(dataSource, new JobRows(MAPPER), TOPIC);
    }

    private static IndexStore.Read read(int partition, long offset, String json) {
        try {
            return new IndexStore.Read(partition, offset, LogEntry.read(null, MAPPER.readTree(json.replace('\'', '"')),
                    partition, offset, Instant.parse("2026-01-01T00:00:00Z")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String id(String what) {
        return what + "-" + UUID.randomUUID();
    }

    // Each test writes partitions of its own: the offsets stored per partition would skip another test's records.

    @Test
    void aBatchAppliedTwiceChangesNothingTheSecondTime() throws SQLException {
        String id = id("twice");
        List<IndexStore.Read> batch = List.of(
                read(10, 10, "{'jobId':'" + id + "','state':'REQUESTED','input':{'p':1},'receivedAt':'2026-01-01T00:00:00Z'}"),
                read(10, 11, "{'jobId':'" + id + "','state':'SUBMITTED','providerJobId':'x','receivedAt':'2026-01-01T00:00:00Z'}"));

        assertThat(store.apply(batch)).isEqualTo(1);
        List<String> once = rows(id);
        assertThat(store.apply(batch)).isZero();

        assertThat(rows(id)).isEqualTo(once);
        assertThat(count("SELECT count(*) FROM index_transitions WHERE job_id = '" + id + "'")).isEqualTo(2);
        assertThat(store.offsets(List.of(10))).containsEntry(10, 12L);
    }

    @Test
    void aRetryIsLinkedWhicheverPartitionIsIndexedFirst() throws SQLException {
        String original = id("orig");
        String first = original + ".retry-1";
        String second = id("orig2");
        String retry = second + ".retry-1";
        // The original first, then its retry (another partition).
        store.apply(List.of(read(1, 100, "{'jobId':'" + original + "','state':'FAILED','finishedAt':'2026-01-01T00:00:00Z'}")));
        store.apply(List.of(read(2, 100, "{'jobId':'" + first + "','state':'REQUESTED','retryOf':'" + original + "'}")));
        // The retry first (a rebuild reads partitions side by side), then the original.
        store.apply(List.of(read(2, 101, "{'jobId':'" + retry + "','state':'REQUESTED','retryOf':'" + second + "'}")));
        store.apply(List.of(read(1, 101, "{'jobId':'" + second + "','state':'FAILED','finishedAt':'2026-01-01T00:00:00Z'}")));

        assertThat(column(original, "retried_as")).isEqualTo(first);
        assertThat(column(first, "retry_of")).isEqualTo(original);
        assertThat(column(second, "retried_as")).isEqualTo(retry);
    }

    @Test
    void aCancelOfAFinishedJobIsRecordedAsATransitionOnly() throws SQLException {
        String id = id("finished");
        store.apply(List.of(
                read(11, 200, "{'jobId':'" + id + "','state':'COMPLETED','video':{'url':'u'},'finishedAt':'2026-01-01T00:00:00Z'}"),
                read(11, 201, "{'jobId':'" + id + "','state':'CANCEL_REQUESTED','cancellation':{'reason':'too late'}}")));

        assertThat(column(id, "state")).isEqualTo("COMPLETED");
        assertThat(column(id, "cancellation")).isNull();
        assertThat(count("SELECT count(*) FROM index_transitions WHERE job_id = '" + id
                + "' AND state = 'CANCEL_REQUESTED' AND detail = 'too late'")).isEqualTo(1);
    }

    @Test
    void jobsFinishedBeforeTheWindowExpireWithTheirTransitions() throws SQLException {
        String old = id("old");
        String recent = id("recent");
        String running = id("running");
        store.apply(List.of(
                read(3, 1, "{'jobId':'" + old + "','state':'COMPLETED','finishedAt':'2020-01-01T00:00:00Z'}"),
                read(3, 2, "{'jobId':'" + recent + "','state':'FAILED','finishedAt':'2026-01-01T00:00:00Z'}"),
                read(3, 3, "{'jobId':'" + running + "','state':'SUBMITTED','receivedAt':'2019-01-01T00:00:00Z'}")));

        assertThat(store.expire(Instant.parse("2025-01-01T00:00:00Z"))).isGreaterThanOrEqualTo(1);

        assertThat(column(old, "state")).isNull();
        assertThat(count("SELECT count(*) FROM index_transitions WHERE job_id = '" + old + "'")).isZero();
        assertThat(column(recent, "state")).isEqualTo("FAILED");
        assertThat(column(running, "state")).isEqualTo("SUBMITTED");
    }

    @Test
    void nulCharactersAndOddRecordsDoNotStopTheIndex() throws SQLException {
        String id = id("nul");
        store.apply(List.of(
                new IndexStore.Read(4, 1, null),
                read(4, 2, "{'jobId':'" + id + "','state':'FAILED','metadata':{'k':'a\\u0000b'},"
                        + "'error':{'code':'X','message':'bad\\u0000byte'}}")));

        assertThat(column(id, "error_message")).isEqualTo("bad\uFFFDbyte");
        assertThat(store.offsets(List.of(4))).containsEntry(4, 3L);
    }

    private static List<String> rows(String id) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT row_to_json(j)::text FROM index_jobs j WHERE job_id = '"
                        + id + "'")) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        return rows;
    }

    private static String column(String id, String column) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT " + column + "::text FROM index_jobs WHERE job_id = '"
                        + id + "'")) {
            return result.next() ? result.getString(1) : null;
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
