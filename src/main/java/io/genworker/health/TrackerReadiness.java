package io.genworker.health;

import java.util.Collection;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.genworker.joblog.JobLogConsumer;
import io.genworker.tracking.HeldPartition;
import io.genworker.tracking.JobTracker;

/**
 * Ready once the job-log consumer runs, no assigned partition is still being replayed and none is held at a record
 * this worker does not understand (each held partition is named, with the offset and what it did not know).
 */
@Readiness
@ApplicationScoped
public class TrackerReadiness implements HealthCheck {

    private final JobLogConsumer consumer;
    private final JobTracker tracker;

    public TrackerReadiness(JobLogConsumer consumer, JobTracker tracker) {
        this.consumer = consumer;
        this.tracker = tracker;
    }

    @Override
    public HealthCheckResponse call() {
        boolean running = consumer.running();
        boolean replaying = tracker.replaying();
        Collection<HeldPartition> held = tracker.held();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("job-tracker")
                .status(running && !replaying && held.isEmpty())
                .withData("consumer", running ? "running" : "stopped")
                .withData("replaying", replaying)
                .withData("inFlight", tracker.inFlight())
                .withData("held", held.size());
        held.forEach(h -> response.withData(h.partition().toString(), h.describe()));
        return response.build();
    }
}
