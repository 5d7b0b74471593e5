package io.genworker.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.genworker.index.IndexedStates;
import io.genworker.index.JobFilter;
import io.genworker.index.PageCursor;

/**
 * The query parameters of `GET /v1/jobs`, read and checked: every problem is collected and named (the parameter
 * and the rule), none reaches the database. Unknown parameters are refused too, so a misspelt filter never
 * silently lists everything.
 */
public final class FilterParams {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    static final int MAX_TEXT = 200;
    static final int MAX_STATES = 16;
    static final int MAX_META = 8;
    static final int MAX_META_KEY = 64;
    static final int MAX_META_VALUE = 256;
    static final int MAX_INSTANT = 64;
    static final String META = "meta.";
    private static final Set<String> NAMES = Set.of("state", "provider", "model", "receivedAfter", "receivedBefore",
            "errorCode", "limit", "cursor");

    /** A checked listing request. */
    public record Listing(JobFilter filter, PageCursor cursor, int limit) {
    }

    private FilterParams() {
    }

    /** @throws IndexProblem (400) naming every parameter that breaks a rule */
    public static Listing read(Map<String, List<String>> params) {
        List<IndexProblem.FieldError> errors = new ArrayList<>();
        for (String name : new TreeSet<>(params.keySet())) {
            if (!NAMES.contains(name) && !name.startsWith(META)) {
                errors.add(new IndexProblem.FieldError(shown(name), "unknown parameter; filters are "
                        + String.join(", ", new TreeSet<>(NAMES)) + " and meta.<key>"));
            }
        }
        List<String> states = states(params.getOrDefault("state", List.of()), errors);
        String provider = text(params, "provider", errors);
        String model = text(params, "model", errors);
        String errorCode = text(params, "errorCode", errors);
        Instant after = instant(params, "receivedAfter", errors);
        Instant before = instant(params, "receivedBefore", errors);
        if (after != null && before != null && !after.isBefore(before)) {
            errors.add(new IndexProblem.FieldError("receivedBefore", "must be later than receivedAfter"));
        }
        Map<String, String> metadata = metadata(params, errors);
        int limit = limit(params, errors);
        PageCursor cursor = null;
        String rawCursor = single(params, "cursor", errors);
        if (rawCursor != null) {
            try {
                cursor = PageCursor.decode(rawCursor);
            } catch (IllegalArgumentException e) {
                errors.add(new IndexProblem.FieldError("cursor", e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw IndexProblem.invalid(errors);
        }
        return new Listing(new JobFilter(states, provider, model, after, before, errorCode, metadata), cursor, limit);
    }

    /** A job id as a path parameter: the intake's limits (length, no control characters). */
    public static String jobId(String id, int maxLength) {
        if (id == null || id.isEmpty() || id.length() > maxLength || hasControl(id)) {
            throw IndexProblem.invalid(List.of(new IndexProblem.FieldError("id",
                    "must be 1 to " + maxLength + " characters, none of them control characters")));
        }
        return id;
    }

    private static List<String> states(List<String> values, List<IndexProblem.FieldError> errors) {
        Set<String> states = new LinkedHashSet<>();
        for (String value : values) {
            for (String state : value.split(",", -1)) {
                if (!IndexedStates.KNOWN.contains(state)) {
                    errors.add(new IndexProblem.FieldError("state", "must be one of "
                            + String.join(", ", new TreeSet<>(IndexedStates.KNOWN)) + ", got " + shown(state)));
                    return List.of();
                }
                states.add(state);
            }
        }
        if (states.size() > MAX_STATES) {
            errors.add(new IndexProblem.FieldError("state", "at most " + MAX_STATES + " states"));
        }
        return List.copyOf(states);
    }

    private static String text(Map<String, List<String>> params, String name, List<IndexProblem.FieldError> errors) {
        String value = single(params, name, errors);
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > MAX_TEXT || hasControl(value)) {
            errors.add(new IndexProblem.FieldError(name,
                    "must be 1 to " + MAX_TEXT + " characters, none of them control characters"));
            return null;
        }
        return value;
    }

    private static Instant instant(Map<String, List<String>> params, String name,
            List<IndexProblem.FieldError> errors) {
        String value = single(params, name, errors);
        if (value == null) {
            return null;
        }
        try {
            if (value.length() > MAX_INSTANT) {
                throw new DateTimeParseException("too long", value, 0);
            }
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            errors.add(new IndexProblem.FieldError(name, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z"));
            return null;
        }
    }

    private static Map<String, String> metadata(Map<String, List<String>> params,
            List<IndexProblem.FieldError> errors) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> param : params.entrySet()) {
            String name = param.getKey();
            if (!name.startsWith(META)) {
                continue;
            }
            String key = name.substring(META.length());
            if (key.isEmpty() || key.length() > MAX_META_KEY || hasControl(key)) {
                errors.add(new IndexProblem.FieldError(shown(name), "the key after meta. must be 1 to "
                        + MAX_META_KEY + " characters, none of them control characters"));
                continue;
            }
            String value = single(params, name, errors);
            if (value == null) {
                continue;
            }
            if (value.length() > MAX_META_VALUE || hasControl(value)) {
                errors.add(new IndexProblem.FieldError(name, "must be at most " + MAX_META_VALUE
                        + " characters, none of them control characters"));
                continue;
            }
            metadata.put(key, value);
        }
        if (metadata.size() > MAX_META) {
            errors.add(new IndexProblem.FieldError("meta", "at most " + MAX_META + " metadata filters"));
        }
        return metadata;
    }

    private static int limit(Map<String, List<String>> params, List<IndexProblem.FieldError> errors) {
        String value = single(params, "limit", errors);
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = value.length() > 4 ? -1 : Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(new IndexProblem.FieldError("limit", "must be an integer from 1 to " + MAX_LIMIT));
        return DEFAULT_LIMIT;
    }

    private static String single(Map<String, List<String>> params, String name,
            List<IndexProblem.FieldError> errors) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            errors.add(new IndexProblem.FieldError(shown(name), "must be given once"));
            return null;
        }
        return values.get(0);
    }

    private static boolean hasControl(String value) {
        return value.chars().anyMatch(Character::isISOControl);
    }

    /** A caller's parameter name or value as a problem shows it: short, printable. */
    private static String shown(String value) {
        String printable = value.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() > 64 ? printable.substring(0, 64) + "..." : printable;
    }
}
