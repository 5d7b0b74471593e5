package io.genworker.joblog;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.utils.Utils;

/**
 * Which job-log partition a job lives on: Kafka's own placement of a key (murmur2 of its UTF-8 bytes, the default
 * partitioner's) over a fixed count, not over however many partitions the topic has now. The count stays what it
 * was when the jobs were written, so partitions added to the topic move no job: a repeated job id still lands where
 * its history is, and deduplication still sees it.
 */
public final class JobRouting {

    private final int partitions;

    public JobRouting(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("worker.topics.job-routing-partitions must be at least 1, was "
                    + partitions);
        }
        this.partitions = partitions;
    }

    public int partitions() {
        return partitions;
    }

    public int partitionOf(String jobId) {
        return Utils.toPositive(Utils.murmur2(jobId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /**
     * What the job log's actual partition count means for routing: null when it is usable, else why not. Fewer
     * partitions than the routing count cannot take the jobs routed to the missing ones.
     */
    public String problemWith(int actualPartitions) {
        if (actualPartitions < partitions) {
            return "the job log has " + actualPartitions + " partitions, fewer than worker.topics.job-routing-partitions ("
                    + partitions + "): jobs routed to the missing ones could not be written";
        }
        return null;
    }
}
