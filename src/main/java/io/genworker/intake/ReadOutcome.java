package io.genworker.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelSpec;
import io.genworker.job.GenerationRequest;
import io.genworker.job.JobError;

/** What intake makes of one record: a job to run, a request to refuse, or bytes that are not a request at all. */
public sealed interface ReadOutcome {

    /** Passed every rule: becomes a REQUESTED job. */
    record Valid(GenerationRequest request, ModelSpec spec) implements ReadOutcome {
    }

    /** A readable request that breaks rules: ends as a FAILED result naming them. */
    record Invalid(String jobId, String model, String provider, ObjectNode metadata, JobError error)
            implements ReadOutcome {
    }

    /** Not a JSON object at all: goes to the dead-letter topic with the reason. */
    record Undecodable(String reason) implements ReadOutcome {
    }
}
