package io.genworker.index;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Which jobs a listing shows; every field optional (null or empty: no condition). Values reach SQL only as bound
 * parameters, metadata as one JSON object matched by jsonb containment.
 *
 * @param metadata string values the job's metadata must hold under these keys
 */
public record JobFilter(List<String> states, String provider, String model, Instant receivedAfter,
        Instant receivedBefore, String errorCode, Map<String, String> metadata) {

    public static final JobFilter ALL = new JobFilter(List.of(), null, null, null, null, null, Map.of());

    public JobFilter {
        states = states == null ? List.of() : List.copyOf(states);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
