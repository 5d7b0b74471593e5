package io.genworker.job;

import java.util.List;

/** Why a job failed; `retryable` tells the sender whether the same request may succeed later. */
public record JobError(ErrorCode code, String message, boolean retryable, List<ErrorDetail> details) {

    public static JobError of(ErrorCode code, String message) {
        return new JobError(code, message, code.retryable(), List.of());
    }

    public static JobError of(ErrorCode code, String message, List<ErrorDetail> details) {
        return new JobError(code, message, code.retryable(), List.copyOf(details));
    }
}
