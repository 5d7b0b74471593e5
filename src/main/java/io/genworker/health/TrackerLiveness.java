package io.genworker.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.genworker.tracking.JobLogConsumer;

/** Alive while the job-log consumer loop runs: without it no job moves and a restart is the cure. */
@Liveness
@ApplicationScoped
public class TrackerLiveness implements HealthCheck {

    private final JobLogConsumer consumer;

    public TrackerLiveness(JobLogConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("job-log-consumer").status(consumer.running()).build();
    }
}
