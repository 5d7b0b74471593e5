package io.genworker.index;

import java.util.Objects;

/**
 * How a job-log record changes a job's row: a pure function of the row before it and the record, so the indexer
 * stays idempotent (a record read twice changes nothing) and commands do not overwrite the job they name.
 */
public final class JobMerge {

    private JobMerge() {
    }

    /**
     * The row after the record, or null when the row stays as it is (the record is only a transition): a record
     * already applied; a cancel, a refusal or a repeated request of a finished job; a refusal or a repeated request
     * (another arrival time) of a job already known.
     */
    public static IndexedJob apply(IndexedJob before, IndexedJob record) {
        if (before == null) {
            return record;
        }
        if (before.logPartition() == record.logPartition() && record.logOffset() <= before.logOffset()) {
            return null;
        }
        String state = record.state();
        if (IndexedStates.CANCEL_REQUESTED.equals(state)) {
            return before.terminal() ? null : before.cancelRequested(record);
        }
        if (IndexedStates.REFUSED.equals(state)) {
            return null;
        }
        if (IndexedStates.REQUESTED.equals(state) && before.receivedAt() != null
                && (before.terminal() || !Objects.equals(before.receivedAt(), record.receivedAt()))) {
            // (A row with no arrival yet is a cancel that came first: its request fills it in, input and all.)
            // A request for a job id already known (another arrival): the tracker answers it as a duplicate.
            return null;
        }
        return record.after(before);
    }
}
