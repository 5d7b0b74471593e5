package io.genworker.api;

/** Ends a request with a problem; {@link ApiProblemMappers} writes it. Carries no stack trace: it is an answer. */
public class ApiProblemException extends RuntimeException {

    private final transient ApiProblem problem;

    public ApiProblemException(ApiProblem problem) {
        super(problem.title(), null, false, false);
        this.problem = problem;
    }

    public ApiProblem problem() {
        return problem;
    }
}
