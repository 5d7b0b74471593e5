package io.genworker.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The jobs page's filter form as the browser sends it, turned into the job API's listing parameters (those of
 * {@code GET /v1/jobs}, checked by the API's own rules) and back into links. Blank fields mean "any"; {@code since}
 * is a relative time range, so a live table keeps moving with the clock; one metadata pair comes as
 * {@code metaKey}/{@code metaValue}.
 */
public record ConsoleQuery(String state, String provider, String model, String errorCode, String since,
        String metaKey, String metaValue, String receivedAfter, String receivedBefore) {

    /** The relative ranges the form offers, by the value it sends. */
    public static final Map<String, Duration> RANGES = ranges();

    /** The fields this record reads; anything else in a query is the page's own (cursor, refresh). */
    static final List<String> FIELDS = List.of("state", "provider", "model", "errorCode", "since", "metaKey",
            "metaValue", "receivedAfter", "receivedBefore");

    public static ConsoleQuery of(Map<String, List<String>> query) {
        return new ConsoleQuery(first(query, "state"), first(query, "provider"), first(query, "model"),
                first(query, "errorCode"), first(query, "since"), first(query, "metaKey"), first(query, "metaValue"),
                first(query, "receivedAfter"), first(query, "receivedBefore"));
    }

    /**
     * The API's listing parameters at this instant. An unknown range is passed on as it is, so the API's checks
     * name it ({@code since} is not one of its parameters).
     */
    public Map<String, List<String>> apiParams(Instant now) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        put(params, "state", state);
        put(params, "provider", provider);
        put(params, "model", model);
        put(params, "errorCode", errorCode);
        put(params, "receivedBefore", receivedBefore);
        if (since != null && RANGES.containsKey(since)) {
            put(params, "receivedAfter", now.minus(RANGES.get(since)).toString());
        } else {
            put(params, "since", since);
            put(params, "receivedAfter", receivedAfter);
        }
        if (metaKey != null) {
            put(params, "meta." + metaKey, metaValue == null ? "" : metaValue);
        }
        return params;
    }

    /** The same filter with another state (blank: any). */
    public ConsoleQuery withState(String newState) {
        return new ConsoleQuery(newState, provider, model, errorCode, since, metaKey, metaValue, receivedAfter,
                receivedBefore);
    }

    /**
     * The same jobs as at this instant: a relative range becomes absolute and nothing received later is taken, so
     * a bulk action confirmed a minute after its dry run acts on the jobs the dry run counted (or fewer, never new).
     */
    public ConsoleQuery pinned(Instant now) {
        String after = since != null && RANGES.containsKey(since) ? now.minus(RANGES.get(since)).toString()
                : receivedAfter;
        String keptSince = since != null && RANGES.containsKey(since) ? null : since;
        String before = receivedBefore != null ? receivedBefore : now.toString();
        return new ConsoleQuery(state, provider, model, errorCode, keptSince, metaKey, metaValue, after, before);
    }

    /** Whether any filter is set (a bulk action needs one). */
    public boolean filtered() {
        return toQueryString().length() > 0;
    }

    /** The filter as a query string (without '?'), for links that keep it; empty with no filter. */
    public String toQueryString() {
        List<String> pairs = new ArrayList<>();
        List<String> values = List.of(nn(state), nn(provider), nn(model), nn(errorCode), nn(since), nn(metaKey),
                nn(metaValue), nn(receivedAfter), nn(receivedBefore));
        for (int i = 0; i < FIELDS.size(); i++) {
            if (!values.get(i).isEmpty()) {
                pairs.add(FIELDS.get(i) + "=" + URLEncoder.encode(values.get(i), StandardCharsets.UTF_8));
            }
        }
        return pairs.stream().collect(Collectors.joining("&"));
    }

    private static void put(Map<String, List<String>> params, String name, String value) {
        if (value != null) {
            params.put(name, List.of(value));
        }
    }

    /** A field's value: the first one, stripped; blank is absent. */
    static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty() || values.get(0) == null || values.get(0).isBlank()) {
            return null;
        }
        return values.get(0).strip();
    }

    private static String nn(String value) {
        return value == null ? "" : value;
    }

    private static Map<String, Duration> ranges() {
        Map<String, Duration> ranges = new LinkedHashMap<>();
        ranges.put("15m", Duration.ofMinutes(15));
        ranges.put("1h", Duration.ofHours(1));
        ranges.put("6h", Duration.ofHours(6));
        ranges.put("24h", Duration.ofHours(24));
        ranges.put("7d", Duration.ofDays(7));
        return java.util.Collections.unmodifiableMap(ranges);
    }
}
