package io.genworker.joblog;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.utils.Utils;

import io.genworker.config.WorkerConfig;

/**
 * Which job-log partition a job lives on: Kafka's own placement of a key (murmur2 of its UTF-8 bytes, the default
 * partitioner's) over a fixed count, not over however many partitions the topic has now. The count stays what it
 * was when the jobs were written, so partitions added to the topic move no job: a repeated job id still lands where
 * its history is, and deduplication still sees it.
 */
public final class JobRouting {

    private final int partitions;
    /** Whether the count was set for routing, rather than taken from the count topics are created with. */
    private final boolean explicit;

    /** The routing the configuration gives: `job-routing-partitions`, or else `partitions`. */
    public static JobRouting from(WorkerConfig.Topics topics) {
        return new JobRouting(topics.jobRoutingPartitions().orElse(topics.partitions()), topics.jobRoutingPartitions()
                .isPresent());
    }

    public JobRouting(int partitions) {
        this(partitions, true);
    }

    private JobRouting(int partitions, boolean explicit) {
        if (partitions < 1) {
            throw new IllegalArgumentException("worker.topics.job-routing-partitions must be at least 1, was "
                    + partitions);
        }
        this.partitions = partitions;
        this.explicit = explicit;
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
            return "the job log has " + actualPartitions + " partitions, fewer than the " + partitions
                    + " new jobs are routed over (worker.topics.job-routing-partitions): jobs routed to the missing"
                    + " ones could not be written";
        }
        if (actualPartitions > partitions && !explicit) {
            return "the job log has " + actualPartitions + " partitions, not the " + partitions
                    + " of worker.topics.partitions: set worker.topics.job-routing-partitions to the count its jobs"
                    + " were written with (the old count, if partitions were added; else " + actualPartitions
                    + "), so that no job id lands where its history is not";
        }
        return null;
    }
}
