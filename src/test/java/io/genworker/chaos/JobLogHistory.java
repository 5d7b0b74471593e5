package io.genworker.chaos;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.genworker.job.JobState;
import io.genworker.joblog.JobLog;
import io.genworker.support.WorkerTopics;

/**
 * Every committed job-log record of some jobs, in log order, with its timestamp: when each of their submissions was
 * in flight, from its SUBMITTING record to the job's next record (SUBMITTED, REQUESTED again after a refused or
 * withdrawn submit, or the terminal one). Read after the run, when every job has its result.
 */
final class JobLogHistory {

    /** One submission's stretch of the log, in epoch milliseconds; {@code next} is the state that ended it. */
    record SubmitWindow(long from, long to, JobState next) {
    }

    private record Entry(JobState state, long timestamp) {
    }

    private final Map<String, List<Entry>> entries;

    private JobLogHistory(Map<String, List<Entry>> entries) {
        this.entries = entries;
    }

    static JobLogHistory read(String bootstrapServers, Collection<String> jobIds) {
        Set<String> wanted = Set.copyOf(jobIds);
        Map<String, List<Entry>> entries = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(WorkerTopics.JOBS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Header state = record.headers().lastHeader(JobLog.STATE_HEADER);
                    if (wanted.contains(record.key()) && state != null) {
                        entries.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(new Entry(
                                JobState.valueOf(new String(state.value(), StandardCharsets.US_ASCII)),
                                record.timestamp()));
                    }
                }
            }
        }
        return new JobLogHistory(entries);
    }

    /** Each SUBMITTING record of the job and what followed it; the last is open-ended if nothing did. */
    List<SubmitWindow> submitWindows(String jobId) {
        List<Entry> mine = entries.getOrDefault(jobId, List.of());
        List<SubmitWindow> windows = new ArrayList<>();
        for (int i = 0; i < mine.size(); i++) {
            if (mine.get(i).state() == JobState.SUBMITTING) {
                Entry next = i + 1 < mine.size() ? mine.get(i + 1) : null;
                windows.add(next == null ? new SubmitWindow(mine.get(i).timestamp(), Long.MAX_VALUE, null)
                        : new SubmitWindow(mine.get(i).timestamp(), next.timestamp(), next.state()));
            }
        }
        return windows;
    }

    /** The submission the job's terminal record ended: how a SUBMIT_UNCERTAIN job was cut off. */
    Optional<SubmitWindow> lastSubmitWindow(String jobId) {
        List<SubmitWindow> windows = submitWindows(jobId);
        return windows.isEmpty() ? Optional.empty() : Optional.of(windows.get(windows.size() - 1));
    }
}
