package io.genworker.tracking;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.genworker.job.JobState;

/**
 * The jobs of revoked partitions that are finishing a submission already sent: the provider may be starting a paid
 * generation, and only its answer, written to the log, lets the next owner poll it instead of failing it
 * SUBMIT_UNCERTAIN. Each is let go once its call's outcome is written, or when the hand-over's wait ends.
 * Confined to the tracker's context.
 */
final class HandOver {

    private final Set<TrackedJob> finishing = new HashSet<>();
    private final Consumer<TrackedJob> letGo;
    private CompletableFuture<Void> done;

    /** @param letGo takes a job out of the tracker for good */
    HandOver(Consumer<TrackedJob> letGo) {
        this.letGo = letGo;
    }

    /** Whether the job finishes its call before it is let go (it is then marked so). */
    boolean finishesFirst(TrackedJob job) {
        if (job.submissionSent && job.latestSent.state() == JobState.SUBMITTING) {
            job.draining = true;
            finishing.add(job);
            return true;
        }
        return false;
    }

    /** Completes once every job finishing its call has; already complete when none is. */
    CompletableFuture<Void> awaited() {
        done = new CompletableFuture<>();
        if (finishing.isEmpty()) {
            done.complete(null);
        }
        return done;
    }

    int finishing() {
        return finishing.size();
    }

    /** The job wrote its call's outcome: let it go. */
    void settled(TrackedJob job) {
        if (finishing.remove(job)) {
            letGo.accept(job);
        }
        if (finishing.isEmpty() && done != null) {
            done.complete(null);
        }
    }

    /** The wait is over: the calls still unanswered are left to the next owner. */
    void giveUp() {
        finishing.forEach(letGo);
        finishing.clear();
        if (done != null) {
            done.complete(null);
        }
    }
}
