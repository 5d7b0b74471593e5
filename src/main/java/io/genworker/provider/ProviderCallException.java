package io.genworker.provider;

import java.time.Duration;

/** An unsuccessful provider call, already classified. Its message never carries credentials. */
public class ProviderCallException extends RuntimeException {

    private final ProviderFault fault;
    private final int httpStatus;
    private final Duration retryAfter;

    public ProviderCallException(ProviderFault fault, int httpStatus, Duration retryAfter, String message) {
        super(message, null, false, false);
        this.fault = fault;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    public ProviderFault fault() {
        return fault;
    }

    /** The HTTP status, or 0 when no response arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The provider's Retry-After, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public boolean rateLimited() {
        return httpStatus == 429;
    }
}
