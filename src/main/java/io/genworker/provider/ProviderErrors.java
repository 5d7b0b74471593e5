package io.genworker.provider;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Classifies every provider outcome once, by HTTP status or transport failure. */
public final class ProviderErrors {

    private static final int MAX_BODY_IN_MESSAGE = 300;

    private ProviderErrors() {
    }

    /**
     * A 502 comes from a gateway that may have passed the request on before the origin's answer was lost: on a
     * submission that means maybe started (paid), as a 504 does; a poll is only a question and may be asked again.
     */
    public static ProviderFault classify(int status, ProviderOperation operation) {
        return switch (status) {
            case 401, 403, 406 -> ProviderFault.PROVIDER_WIDE;
            case 404 -> ProviderFault.EXPIRED;
            case 502 -> operation == ProviderOperation.SUBMIT ? ProviderFault.AMBIGUOUS : ProviderFault.NOT_ACCEPTED;
            case 408, 429, 500, 503 -> ProviderFault.NOT_ACCEPTED;
            case 504 -> ProviderFault.AMBIGUOUS;
            default -> status >= 500 ? ProviderFault.AMBIGUOUS : ProviderFault.JOB_FATAL;
        };
    }

    public static ProviderCallException fromResponse(String provider, ProviderOperation operation, int status,
            String retryAfter, String body, Instant now) {
        return new ProviderCallException(classify(status, operation), status, parseRetryAfter(retryAfter, now),
                provider + " " + operation + " answered HTTP " + status + ": " + clip(body));
    }

    /** A call that got no HTTP answer: refused connections never reached the provider; anything else may have. */
    public static ProviderCallException fromTransport(String provider, ProviderOperation operation,
            Throwable failure) {
        if (failure instanceof ProviderCallException classified) {
            return classified;
        }
        boolean neverSent = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                neverSent = true;
            }
        }
        return new ProviderCallException(neverSent ? ProviderFault.NOT_ACCEPTED : ProviderFault.AMBIGUOUS, 0, null,
                provider + " " + operation + " failed without an answer: " + failure.getClass().getSimpleName());
    }

    /** A 2xx whose body we cannot use: the provider may have done the work. */
    public static ProviderCallException unreadable(String provider, ProviderOperation operation, String why,
            String body) {
        return new ProviderCallException(ProviderFault.AMBIGUOUS, 200, null,
                provider + " " + operation + " returned an unusable body (" + why + "): " + clip(body));
    }

    /** Retry-After in delta-seconds or HTTP-date form; null when absent or unreadable. */
    public static Duration parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(now, at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    static String clip(String body) {
        if (body == null) {
            return "";
        }
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return oneLine.length() > MAX_BODY_IN_MESSAGE ? oneLine.substring(0, MAX_BODY_IN_MESSAGE) + "..." : oneLine;
    }
}
