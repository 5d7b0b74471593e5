package io.genworker.chaos;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import io.genworker.job.JobState;

/**
 * Which jobs a run's disruptions caught with a submission in flight, and which SUBMIT_UNCERTAIN jobs none explains.
 * A worker fails a job SUBMIT_UNCERTAIN when it finds the job SUBMITTING with nothing after it: its owner wrote
 * SUBMITTING, then lost the job (killed, stopped, or its partition revoked) before writing SUBMITTED. That loss
 * falls between the SUBMITTING record and the failure, so a disruption (see {@link Disruptions}) overlaps that
 * stretch of the log. The bound is sound: it needs no guess of how long a submission takes, only the job log's own
 * timestamps and the disruptions' clock, which is the same machine's. A job failed SUBMIT_UNCERTAIN with no
 * disruption in that stretch, or with no SUBMITTING record at all, was not cut off by anything the run did.
 *
 * @param inFlight jobs with a submission (SUBMITTING to the next record) overlapping some disruption
 * @param unexplained SUBMIT_UNCERTAIN jobs whose last submission no disruption overlaps
 */
record CutOffs(Set<String> inFlight, Set<String> unexplained) {

    static CutOffs of(Collection<String> ids, Set<String> uncertain, JobLogHistory history,
            Disruptions disruptions) {
        Set<String> inFlight = new TreeSet<>();
        for (String id : ids) {
            if (history.submitWindows(id).stream().anyMatch(w -> disruptions.hit(w.from(), w.to()))) {
                inFlight.add(id);
            }
        }
        Set<String> unexplained = new TreeSet<>();
        for (String id : uncertain) {
            boolean cutOff = history.lastSubmitWindow(id)
                    .filter(w -> w.next() == JobState.FAILED && disruptions.hit(w.from(), w.to()))
                    .isPresent();
            if (!cutOff) {
                unexplained.add(id);
            }
        }
        return new CutOffs(inFlight, unexplained);
    }
}
