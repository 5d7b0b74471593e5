package io.genworker.tracking;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.provider.GenerationStatus;
import io.genworker.provider.Submission;
import io.genworker.provider.VideoProvider;
import io.smallrye.mutiny.Uni;

/** A provider of which only the id and the settings are used (by the gates and the shares): it is never called. */
record SettingsOnlyProvider(String id, WorkerConfig.Provider settings) implements VideoProvider {

    @Override
    public boolean configured() {
        return true;
    }

    @Override
    public Uni<Submission> submit(JobRecord job) {
        throw new UnsupportedOperationException("not called in these tests");
    }

    @Override
    public Uni<GenerationStatus> poll(String providerJobId) {
        throw new UnsupportedOperationException("not called in these tests");
    }
}
