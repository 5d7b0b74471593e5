package io.genworker.provider;

import java.util.List;
import java.util.Locale;

/** The calls made to a provider; their tag names metrics and messages. */
public enum ProviderOperation {
    /** Starts a paid generation. */
    SUBMIT,
    /** Asks how a generation is going. */
    POLL,
    /** Fetches a finished generation's output (Segmind's second call after a poll saw it done). */
    RESULT;

    /** The calls a job makes through the provider's rate limit, each its own series. */
    public static final List<ProviderOperation> RATE_LIMITED = List.of(SUBMIT, POLL);

    /** The name in metric tags and messages: "submit", "poll", "result". */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return tag();
    }
}
