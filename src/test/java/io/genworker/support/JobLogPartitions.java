package io.genworker.support;


import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

import io.genworker.joblog.JobLog;
import io.genworker.joblog.RecordSchema;

/**
 * Where jobs land on the job log, and records written there by another producer (see {@link TrackerGroupMember}
 * for a stand-in member of the tracker's group that takes partitions away).
 */
public final class JobLogPartitions {

    private JobLogPartitions() {
    }

    /** The partition Kafka's default partitioner gives a keyed record. */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** A new job id, starting with this prefix, that the default partitioner puts on one of these partitions. */
    public static String jobIdOn(Set<TopicPartition> wanted, int partitions, String prefix) {
        while (true) {
            String id = prefix + UUID.randomUUID();
            if (wanted.contains(new TopicPartition(WorkerTopics.JOBS, partitionOf(id, partitions)))) {
                return id;
            }
        }
    }

    /**
     * Writes one job-log record as another producer (a newer worker, say) would, acks=all, with these state and
     * schema-version headers; returns its offset.
     */
    public static long write(String bootstrap, int partition, String jobId, byte[] value, String state,
            String schema) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add(JobLog.STATE_HEADER, state.getBytes(StandardCharsets.US_ASCII));
        headers.add(RecordSchema.HEADER, schema.getBytes(StandardCharsets.US_ASCII));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            return producer.send(new ProducerRecord<>(WorkerTopics.JOBS, partition, jobId, value, headers)).get()
                    .offset();
        }
    }
}
