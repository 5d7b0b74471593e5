package io.genworker.provider;

import java.time.Duration;
import java.util.Optional;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.smallrye.mutiny.Uni;

/** One video provider. Both calls fail with a {@link ProviderCallException} that says how to react. */
public interface VideoProvider {

    /** The provider's name as used in requests, results and metrics. */
    String id();

    /** This provider's settings: its key, and the rate and concurrency its calls are held to. */
    WorkerConfig.Provider settings();

    /** Whether an API key is configured; without one, the provider's jobs wait. */
    boolean configured();

    Uni<Submission> submit(JobRecord job);

    Uni<GenerationStatus> poll(String providerJobId);

    /** How long the provider documents keeping a finished video at its URL; empty when it documents none. */
    default Optional<Duration> resultRetention() {
        return Optional.empty();
    }
}
