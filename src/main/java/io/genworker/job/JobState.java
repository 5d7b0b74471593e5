package io.genworker.job;

/** The states a job passes through; every transition is written to the job log before the next step. */
public enum JobState {
    REQUESTED,
    /**
     * A request intake refused (an invalid field, an unknown model): it goes through the job log like a request, so
     * that the tracker, which knows the job ids in flight and finished, answers it with its one FAILED result, or
     * counts it as a duplicate of a job id it already answers for. Needs schema version 2 of its readers.
     */
    REFUSED,
    /** A submit is (or was) on its way to the provider: after a crash the provider may or may not have it. */
    SUBMITTING,
    SUBMITTED,
    /**
     * The provider finished: its video (URL, announced size) is in the record, and the copy into object storage is
     * (or was) on its way. A new owner copies again, to the same key. Needs schema version 3 of its readers.
     */
    ARCHIVING,
    COMPLETED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
