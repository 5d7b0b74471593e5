package io.genworker.tracking;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.genworker.job.JobRecord;

/** A job-log partition assigned to this worker: replaying until its end offset at assignment, then live. */
final class OwnedPartition {

    boolean replaying = true;
    /** During replay: the newest record of every job seen so far. */
    final Map<String, JobRecord> replayed = new LinkedHashMap<>();
    /** During replay: jobs whose newest record is a duplicate REQUESTED that must not become their last word. */
    final Set<String> needsReassert = new HashSet<>();
    /** Jobs of this partition in flight. */
    final Set<String> active = new HashSet<>();
    /** Finished jobs of this partition, kept (without input) to deduplicate repeated job ids. */
    final Map<String, JobRecord> finished = new HashMap<>();
}
