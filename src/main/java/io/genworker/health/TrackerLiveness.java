package io.genworker.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.genworker.config.WorkerConfig;
import io.genworker.joblog.JobLogConsumer;

/**
 * Alive while the job-log consumer loop runs and keeps coming back from its polls: without it no job moves and a
 * restart is the cure. An unreachable broker or a paused provider is not a reason to restart (readiness says so).
 */
@Liveness
@ApplicationScoped
public class TrackerLiveness implements HealthCheck {

    private final JobLogConsumer consumer;
    private final Duration stuckAfter;

    public TrackerLiveness(JobLogConsumer consumer, WorkerConfig config) {
        this.consumer = consumer;
        this.stuckAfter = config.tracker().stuckAfter();
    }

    @Override
    public HealthCheckResponse call() {
        Duration since = consumer.sinceLastPoll();
        boolean running = consumer.running();
        boolean stuck = since.compareTo(stuckAfter) > 0;
        return HealthCheckResponse.named("job-log-consumer")
                .status(running && !stuck)
                .withData("consumer", running ? "running" : "stopped")
                .withData("sinceLastPollMs", since.toMillis())
                .build();
    }
}
