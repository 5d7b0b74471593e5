package io.genworker.api;

import java.util.List;

/**
 * A read of the job index that cannot be answered as asked: turned into RFC 9457 problem details by
 * {@link IndexProblems}.
 */
public class IndexProblem extends RuntimeException {

    /** One parameter that broke one rule. */
    public record FieldError(String field, String rule) {
    }

    private final int status;
    private final String type;
    private final String title;
    private final List<FieldError> errors;

    IndexProblem(int status, String type, String title, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    static IndexProblem invalid(List<FieldError> errors) {
        String detail = errors.stream().map(e -> e.field() + ": " + e.rule()).reduce((a, b) -> a + "; " + b)
                .orElse("invalid parameters");
        return new IndexProblem(400, "invalid-parameters", "Invalid parameters", detail, errors);
    }

    static IndexProblem notFound(String jobId) {
        return new IndexProblem(404, "job-not-found", "Job not found",
                "no job " + jobId + " in the index (it keeps the jobs of the dedup window)", List.of());
    }

    static IndexProblem disabled() {
        return new IndexProblem(503, "index-disabled", "Job index disabled",
                "this worker runs without the job index (worker.index.enabled=false)", List.of());
    }

    static IndexProblem unavailable() {
        return new IndexProblem(503, "index-unavailable", "Job index unavailable",
                "the job index's database does not answer; retry later", List.of());
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
