package io.genworker.index;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.genworker.job.JobState;

/**
 * The job states as the index stores them: plain names, so that a state this build does not know (written by a
 * newer worker) is stored and shown rather than failing the indexer.
 */
public final class IndexedStates {

    public static final String REQUESTED = "REQUESTED";
    public static final String REFUSED = "REFUSED";
    /** A cancel command in the job log (issue 14); named here too so that the index reads it before JobState has it. */
    public static final String CANCEL_REQUESTED = "CANCEL_REQUESTED";
    public static final String CANCELLED = "CANCELLED";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";

    /** The states a job ends in; every other state, one this build does not know included, is still in flight. */
    public static final List<String> TERMINAL = List.of(COMPLETED, FAILED, CANCELLED);

    /** The states a filter may name: this build's states and the ones issue 14 adds. */
    public static final Set<String> KNOWN = known();

    private IndexedStates() {
    }

    public static boolean terminal(String state) {
        return state != null && TERMINAL.contains(state);
    }

    private static Set<String> known() {
        Set<String> names = new LinkedHashSet<>();
        for (JobState state : JobState.values()) {
            names.add(state.name());
        }
        names.add(CANCEL_REQUESTED);
        names.add(CANCELLED);
        return Set.copyOf(names);
    }
}
