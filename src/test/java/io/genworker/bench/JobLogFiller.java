package io.genworker.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.genworker.job.JobRecord;
import io.genworker.job.TraceContext;
import io.genworker.job.Video;
import io.genworker.joblog.JobLog;
import io.genworker.joblog.JobRouting;
import io.genworker.kafka.TopicInitializer;
import io.genworker.support.Requests;
import io.genworker.support.StubWorkerConfig;

/**
 * Writes a job log as the worker would have left it, without running the worker: jobs that each went through
 * REQUESTED, SUBMITTING, SUBMITTED and COMPLETED, encoded by the worker's own {@link JobLog} (JSON body, state and
 * trace headers), on one partition or spread over several as the worker routes them ({@link JobRouting}). Jobs
 * overlap as in a live log: a batch of jobs is requested, then submitted, then finished, so the replay carries
 * unfinished jobs along as it goes.
 */
final class JobLogFiller {

    /** Records a job leaves in the log. */
    static final int RECORDS_PER_JOB = 4;
    /** Jobs whose records interleave. */
    private static final int OVERLAP = 1000;
    /** Threads that build and send the records. */
    private static final int WRITERS = 2;

    private JobLogFiller() {
    }

    /**
     * Creates the worker's topics with its own settings (compaction, retention, segment roll), but one partition
     * each, so that one partition holds the whole log.
     */
    static void createTopics(String bootstrap) throws Exception {
        createTopics(bootstrap, 1);
    }

    /**
     * Creates the worker's topics with its own settings and {@code partitions} partitions each: the workers started
     * on them must route over the same count (`worker.topics.partitions`).
     */
    static void createTopics(String bootstrap, int partitions) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        for (NewTopic topic : TopicInitializer.definitions(new StubWorkerConfig().topics())) {
            topics.add(new NewTopic(topic.name(), partitions, (short) 1).configs(topic.configs()));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Writes {@code jobs} finished jobs to a one-partition job log; returns the records written. Their finish time is
     * now, so the worker remembers every one of them (within the dedup window).
     *
     * @param metadata the request's metadata, per job index
     */
    static long fill(String bootstrap, String prefix, int jobs, IntFunction<ObjectNode> metadata) {
        return fill(bootstrap, new JobRouting(1), prefix, jobs, false, metadata);
    }

    /**
     * Writes {@code jobs} finished jobs to the job log, each on the partition {@code routing} gives its id (the
     * topics' partition count); returns the records written.
     *
     * @param compacted only each job's terminal record, as compaction leaves the log older than its lag (an hour):
     *        in a dedup window of days nearly every finished job is one record
     */
    static long fill(String bootstrap, JobRouting routing, String prefix, int jobs, boolean compacted,
            IntFunction<ObjectNode> metadata) {
        // One writer a core: building and encoding the records is the fill's own cost. A job's records stay on one
        // writer, so they keep their order on its partition.
        int writers = Math.max(1, Math.min(WRITERS, jobs / OVERLAP));
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Long>> parts = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                parts.add(pool.submit(() -> write(bootstrap, routing, prefix, jobs, compacted, metadata, writer,
                        writers)));
            }
            long written = 0;
            for (Future<Long> part : parts) {
                written += part.get();
            }
            return written;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("filling the job log failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The blocks of {@link #OVERLAP} jobs whose number is {@code writer} modulo {@code writers}. */
    private static long write(String bootstrap, JobRouting routing, String prefix, int jobs, boolean compacted,
            IntFunction<ObjectNode> metadata, int writer, int writers) {
        ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        JobLog jobLog = new JobLog(null, mapper, new StubWorkerConfig());
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long written = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int first = writer * OVERLAP; first < jobs; first += writers * OVERLAP) {
                List<JobRecord> batch = new ArrayList<>();
                Instant now = Instant.now();
                for (int i = first; i < Math.min(jobs, first + OVERLAP); i++) {
                    String id = prefix + "-" + i;
                    batch.add(JobRecord.requested(id, "aimlapi", "pixverse/v5/text-to-video",
                            (ObjectNode) Requests.textToVideo(id).get("input"),
                            metadata.apply(i), now, now.plus(Duration.ofMinutes(15))).withTrace(trace()));
                }
                for (int step = 0; step < RECORDS_PER_JOB; step++) {
                    for (int j = 0; j < batch.size(); j++) {
                        JobRecord next = advance(batch.get(j), step, now);
                        batch.set(j, next);
                        if (!compacted || next.state().isTerminal()) {
                            producer.send(jobLog.record(next, routing.partitionOf(next.jobId())));
                            written++;
                        }
                    }
                }
            }
            producer.flush();
        }
        return written;
    }

    /** The job's record after {@code step} transitions from its request, as the worker writes them. */
    private static JobRecord advance(JobRecord record, int step, Instant now) {
        return switch (step) {
            case 0 -> record;
            case 1 -> record.submitting(now);
            case 2 -> record.submitted(UUID.randomUUID() + ":pixverse/v5/text-to-video", 1.0, now);
            // As the worker commits it: without the input (JobLogWriter.commitTerminal).
            default -> record.completed(new Video("https://cdn.aimlapi.test/videos/" + record.providerJobId()
                    + ".mp4", "video/mp4", null, null), 1.0, 3, now).withoutInput();
        };
    }

    private static TraceContext trace() {
        String hex = UUID.randomUUID().toString().replace("-", "");
        return new TraceContext("00-" + hex + "-" + hex.substring(0, 16) + "-01", null);
    }
}
