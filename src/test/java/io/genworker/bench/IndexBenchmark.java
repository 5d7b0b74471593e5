package io.genworker.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.IntConsumer;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.genworker.index.IndexStore;
import io.genworker.index.JobFilter;
import io.genworker.index.JobRows;
import io.genworker.index.JobSearch;
import io.genworker.index.LogEntry;
import io.genworker.index.PageCursor;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobError;
import io.genworker.job.JobRecord;
import io.genworker.job.Video;
import io.genworker.support.PostgresResource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The job index at 100,000 jobs (docs/index.md): how fast job-log records are decoded and written (REQUESTED,
 * SUBMITTED and a terminal record per job, in batches as the indexer writes them; the Kafka fetch is not counted),
 * then lookup and filtered-list latency on the embedded PostgreSQL. Not run by verify:
 * {@code ./mvnw -Pindex-benchmark package -DskipTests} (system properties {@code bench.jobs}, default 100000, and
 * {@code bench.batch}, default 500).
 */
public final class IndexBenchmark {

    private static final String[] TENANTS = { "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne",
            "wonka", "tyrell", "cyberdyne" };
    private static final String[] MODELS = { "pixverse/v5/text-to-video", "google/veo-3", "kling/v2", "wan/2.2" };

    private IndexBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = Integer.getInteger("bench.jobs", 100_000);
        int batchSize = Integer.getInteger("bench.batch", 500);
        Path data = Files.createTempDirectory("index-bench");
        EmbeddedPostgres postgres = PostgresResource.start(data, 0);
        try {
            // Pooled, as the worker's Agroal pool is (and with its JDBC properties).
            DataSource dataSource = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                    .connectionPoolConfiguration(pool -> pool.maxSize(4).connectionFactoryConfiguration(factory -> factory
                            .jdbcUrl(postgres.getJdbcUrl("postgres", "postgres") + "&reWriteBatchedInserts="
                                    + System.getProperty("bench.rewrite-batches", "true")))));
            Flyway.configure().dataSource(dataSource).load().migrate();
            ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
            IndexStore store = new IndexStore(dataSource, new JobRows(mapper), "generation.jobs");

            List<byte[]> log = jobLog(jobs, mapper);
            long started = System.nanoTime();
            List<IndexStore.Read> batch = new ArrayList<>(batchSize);
            long offset = 0;
            for (byte[] value : log) {
                batch.add(new IndexStore.Read(0, offset, LogEntry.read(null, mapper.readTree(value), 0, offset++,
                        Instant.now())));
                if (batch.size() == batchSize) {
                    store.apply(batch);
                    batch.clear();
                }
            }
            store.apply(batch);
            double seconds = (System.nanoTime() - started) / 1e9;
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("VACUUM ANALYZE");
            }
            System.out.printf("%n== job index, %,d jobs (%,d job-log records, batches of %d) ==%n", jobs, log.size(),
                    batchSize);
            System.out.printf("  build         %,.0f records/s (%.1f s)%n", log.size() / seconds, seconds);

            JobSearch search = new JobSearch(dataSource, mapper);
            Random random = new Random(42);
            latency("lookup by id", 2000, i -> call(() -> search.find("bench-" + random.nextInt(jobs))));
            JobFilter failedOfTenant = new JobFilter(List.of("FAILED"), null, null, null, null, null,
                    Map.of("tenant", "acme"));
            latency("list state+meta", 500, i -> call(() -> search.list(failedOfTenant, null, 50)));
            JobFilter model = new JobFilter(List.of(), "segmind", MODELS[1], null, null, null, Map.of());
            latency("list provider+model", 500, i -> call(() -> search.list(model, null, 50)));
            JobFilter none = new JobFilter(List.of(), "aimlapi", MODELS[1], null, null, null, Map.of());
            latency("list provider+model, 0", 500, i -> call(() -> search.list(none, null, 50)));
            JobFilter timeout = new JobFilter(List.of(), null, null, null, null, ErrorCode.TIMEOUT.name(), Map.of());
            latency("list errorCode", 500, i -> call(() -> search.list(timeout, null, 50)));
            latency("counts, no filter", 100, i -> call(() -> search.counts(JobFilter.ALL)));
            latency("counts state+meta", 200, i -> call(() -> search.counts(failedOfTenant)));
            PageCursor deep = search.list(JobFilter.ALL, null, 500).next();
            for (int i = 0; i < 100 && deep != null; i++) {
                deep = search.list(JobFilter.ALL, deep, 500).next();
            }
            PageCursor at = deep;
            latency("list page 100 (cursor)", 500, i -> call(() -> search.list(JobFilter.ALL, at, 50)));
            ((AgroalDataSource) dataSource).close();
        } finally {
            postgres.close();
        }
    }

    /** Three records a job, interleaved as a busy log has them: each job's REQUESTED, SUBMITTED, then its end. */
    private static List<byte[]> jobLog(int jobs, ObjectMapper mapper) throws Exception {
        List<byte[]> log = new ArrayList<>(jobs * 3);
        Instant start = Instant.now().minus(Duration.ofDays(1));
        for (int i = 0; i < jobs; i++) {
            Instant received = start.plusMillis(i * 100L);
            ObjectNode metadata = mapper.createObjectNode().put("tenant", TENANTS[i % TENANTS.length])
                    .put("batch", "b" + (i / 1000));
            ObjectNode input = mapper.createObjectNode().put("prompt", "A dragon over mountains, job " + i)
                    .put("duration", 5);
            JobRecord requested = JobRecord.requested("bench-" + i, i % 2 == 0 ? "aimlapi" : "segmind",
                    MODELS[i % MODELS.length], input, metadata, received, received.plusSeconds(1200));
            JobRecord submitted = requested.submitting(received).submitted("p-" + i, 1.0, received.plusSeconds(1));
            JobRecord end = i % 7 == 0
                    ? submitted.failed(JobError.of(i % 14 == 0 ? ErrorCode.TIMEOUT : ErrorCode.GENERATION_FAILED,
                            "failed"), 5, received.plusSeconds(60)).withoutInput()
                    : submitted.completed(new Video("https://cdn.example/" + UUID.randomUUID() + ".mp4", "video/mp4",
                            null, 1_000_000L), 1.0, 5, received.plusSeconds(60)).withoutInput();
            log.add(mapper.writeValueAsBytes(requested));
            log.add(mapper.writeValueAsBytes(submitted));
            log.add(mapper.writeValueAsBytes(end));
        }
        return log;
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void call(Call call) {
        try {
            call.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void latency(String what, int runs, IntConsumer call) {
        for (int i = 0; i < Math.min(50, runs); i++) {
            call.accept(i);
        }
        long[] times = new long[runs];
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            call.accept(i);
            times[i] = System.nanoTime() - started;
        }
        Arrays.sort(times);
        System.out.printf("  %-24s p50 %6.2f ms  p99 %6.2f ms  (%d runs)%n", what, times[runs / 2] / 1e6,
                times[(int) (runs * 0.99)] / 1e6, runs);
    }
}
