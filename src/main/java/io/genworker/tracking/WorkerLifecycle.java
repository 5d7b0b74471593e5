package io.genworker.tracking;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.genworker.joblog.JobLogConsumer;
import io.genworker.kafka.TopicInitializer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/** Creates the topics, then starts the tracker; on shutdown hands every job back to the log, resumable. */
@ApplicationScoped
public class WorkerLifecycle {

    private final TopicInitializer topics;
    private final JobTracker tracker;
    private final JobLogConsumer consumer;

    public WorkerLifecycle(TopicInitializer topics, JobTracker tracker, JobLogConsumer consumer) {
        this.topics = topics;
        this.tracker = tracker;
        this.consumer = consumer;
    }

    void onStart(@Observes StartupEvent event) {
        topics.ensureTopics();
        tracker.start();
        consumer.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        consumer.stop();
    }
}
