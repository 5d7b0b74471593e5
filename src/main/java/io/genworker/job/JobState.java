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
    /**
     * A command to cancel the job (from the control topic), as intake wrote it for the job's owner: not a state the
     * job is in but a record in its history, carried out by the owner, who writes the job's CANCELLED record (or,
     * when it had finished already, its terminal record again). Needs schema version 4 of its readers.
     */
    CANCEL_REQUESTED,
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
    /** Cancelled on request: its cancellation says whether the provider may still bill it. Schema version 4. */
    CANCELLED;

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
