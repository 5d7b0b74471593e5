package io.genworker.joblog;

import java.util.Collection;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** What {@link JobLogConsumer} feeds: the tracker, which drives the jobs of the partitions assigned to this worker. */
public interface JobLogListener {

    /** The partitions are this worker's now; their replay from the beginning starts. */
    void assigned(Collection<TopicPartition> partitions);

    /**
     * The partitions move away in an orderly hand-over: this worker still owns them until this returns. Returns once
     * the submissions already sent have been answered and written (within a bound), nothing more will be written for
     * their jobs, and what was sent has landed, so that the next owner's replay sees it.
     */
    void revoked(Collection<TopicPartition> partitions);

    /**
     * The partitions were taken away (the session expired, or the consumer failed): another member may own them
     * already, so nothing more is written for their jobs; returns once that holds.
     */
    void lost(Collection<TopicPartition> partitions);

    /** Records read, in partition order; during a replay, the records up to its end. */
    void records(List<ConsumerRecord<String, byte[]>> records);

    /** The partition's replay reached the end offset captured at assignment. */
    void replayed(TopicPartition partition);

    /** Jobs in flight now. */
    int inFlight();

    /**
     * How many more records that may start a job ({@link JobLog#mayStartAJob}) it takes now: the places left under
     * `max-in-flight`, less those records handed over and not yet applied.
     */
    int newJobsWelcome();

    /** Records handed over by {@link #records} and not yet applied. */
    int pendingRecords();
}
