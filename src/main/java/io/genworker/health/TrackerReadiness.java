package io.genworker.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.genworker.joblog.JobLogConsumer;
import io.genworker.tracking.JobTracker;

/** Ready once the job-log consumer runs and no assigned partition is still being replayed. */
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
        return HealthCheckResponse.named("job-tracker")
                .status(running && !replaying)
                .withData("consumer", running ? "running" : "stopped")
                .withData("replaying", replaying)
                .withData("inFlight", tracker.inFlight())
                .build();
    }
}
