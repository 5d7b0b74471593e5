package io.genworker.health;

import java.time.Duration;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.genworker.config.WorkerConfig;
import io.genworker.joblog.JobLogConsumer;
import io.genworker.tracking.JobTracker;

/**
 * Alive while the job-log consumer loop runs and keeps coming back from its polls, and every shard of the tracker
 * keeps turning: without them no job moves (or none of a shard's) and a restart is the cure. An unreachable broker
 * or a paused provider is not a reason to restart (readiness says so).
 */
@Liveness
@ApplicationScoped
public class TrackerLiveness implements HealthCheck {

    private final JobLogConsumer consumer;
    private final Supplier<Duration> shardSilence;
    private final Duration stuckAfter;

    @Inject
    public TrackerLiveness(JobLogConsumer consumer, JobTracker tracker, WorkerConfig config) {
        this(consumer, tracker::longestShardSilence, config);
    }

    /** @param shardSilence the longest a tracker shard's context has not turned */
    TrackerLiveness(JobLogConsumer consumer, Supplier<Duration> shardSilence, WorkerConfig config) {
        this.consumer = consumer;
        this.shardSilence = shardSilence;
        this.stuckAfter = config.tracker().stuckAfter();
    }

    @Override
    public HealthCheckResponse call() {
        Duration since = consumer.sinceLastPoll();
        Duration silence = shardSilence.get();
        boolean running = consumer.running();
        boolean stuck = since.compareTo(stuckAfter) > 0 || silence.compareTo(stuckAfter) > 0;
        return HealthCheckResponse.named("job-log-consumer")
                .status(running && !stuck)
                .withData("consumer", running ? "running" : "stopped")
                .withData("sinceLastPollMs", since.toMillis())
                .withData("trackerSilentMs", silence.toMillis())
                .build();
    }
}
