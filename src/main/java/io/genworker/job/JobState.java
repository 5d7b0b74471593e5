package io.genworker.job;

/** The states a job passes through; every transition is written to the job log before the next step. */
public enum JobState {
    REQUESTED,
    /** A submit is (or was) on its way to the provider: after a crash the provider may or may not have it. */
    SUBMITTING,
    SUBMITTED,
    COMPLETED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
