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
     * The partitions move away: returns once nothing more will be written for their jobs and what was already
     * sent has landed, so that the next owner's replay sees it.
     */
    void revoked(Collection<TopicPartition> partitions);

    /** Records read, in partition order; during a replay, the records up to its end. */
    void records(List<ConsumerRecord<String, byte[]>> records);

    /** The partition's replay reached the end offset captured at assignment. */
    void replayed(TopicPartition partition);

    /** Jobs in flight now: at the configured cap the consumer stops reading new ones. */
    int inFlight();
}
