package io.genworker.intake;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.CrossFieldRule;
import io.genworker.catalogue.ModelSpec;
import io.genworker.catalogue.ParameterSpec;
import io.genworker.job.ErrorDetail;

/** Checks a request's `input` against a model's documented parameters; returns every broken rule. */
final class InputValidator {

    private static final int SHOWN_VALUE_CHARS = 100;

    List<ErrorDetail> validate(ModelSpec spec, ObjectNode input) {
        List<ErrorDetail> details = new ArrayList<>();
        for (Iterator<String> names = input.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!spec.parameters().containsKey(name)) {
                details.add(new ErrorDetail("input." + shorten(name), "unknown-field", null));
            }
        }
        for (Map.Entry<String, ParameterSpec> entry : spec.parameters().entrySet()) {
            String field = "input." + entry.getKey();
            JsonNode value = input.get(entry.getKey());
            ParameterSpec param = entry.getValue();
            if (value == null || value.isNull()) {
                if (param.required()) {
                    details.add(new ErrorDetail(field, "required", null));
                }
                continue;
            }
            checkValue(field, value, param, details);
        }
        for (CrossFieldRule rule : spec.rules()) {
            JsonNode when = effective(spec, input, rule.when().field());
            JsonNode target = effective(spec, input, rule.field());
            if (when != null && when.equals(rule.when().equals()) && target != null && rule.notIn().contains(target)) {
                details.add(new ErrorDetail("input." + rule.field(), rule.rule() + ": " + rule.message(),
                        shorten(target)));
            }
        }
        return details;
    }

    private static void checkValue(String field, JsonNode value, ParameterSpec param, List<ErrorDetail> details) {
        switch (param.type()) {
            case "string" -> {
                if (!value.isTextual()) {
                    details.add(new ErrorDetail(field, "type:string", shorten(value)));
                    return;
                }
                String text = value.asText();
                if (param.minLength() != null && text.length() < param.minLength()) {
                    details.add(new ErrorDetail(field, "minLength:" + param.minLength(), shorten(value)));
                }
                if (param.maxLength() != null && text.length() > param.maxLength()) {
                    details.add(new ErrorDetail(field, "maxLength:" + param.maxLength(), text.length()));
                }
                if ("image-url".equals(param.format()) && !isImageReference(text)) {
                    details.add(new ErrorDetail(field, "format:http(s)-url-or-data-uri", shorten(value)));
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    details.add(new ErrorDetail(field, "type:integer", shorten(value)));
                    return;
                }
                long number = value.longValue();
                if (param.minimum() != null && number < param.minimum()) {
                    details.add(new ErrorDetail(field, "minimum:" + param.minimum(), number));
                }
                if (param.maximum() != null && number > param.maximum()) {
                    details.add(new ErrorDetail(field, "maximum:" + param.maximum(), number));
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    details.add(new ErrorDetail(field, "type:boolean", shorten(value)));
                    return;
                }
            }
            default -> throw new IllegalStateException("catalogue type " + param.type() + " of " + field);
        }
        if (param.allowed() != null && !param.allowed().isEmpty() && !param.allowed().contains(value)) {
            details.add(new ErrorDetail(field, "enum:" + param.allowed(), shorten(value)));
        }
    }

    /** The value the provider will use: the given one, or the documented default. */
    private static JsonNode effective(ModelSpec spec, ObjectNode input, String field) {
        JsonNode given = input.get(field);
        if (given != null && !given.isNull()) {
            return given;
        }
        ParameterSpec param = spec.parameters().get(field);
        return param == null ? null : param.defaultValue();
    }

    /**
     * Providers fetch http(s) URLs or read base64 data URIs; anything else (file:, ftp:, javascript:) is refused.
     * Their request schemas ask for {@code format: uri} (RFC 3986), stricter than {@link java.net.URI}: ASCII only,
     * and no brackets outside an IPv6 host.
     */
    static boolean isImageReference(String text) {
        java.net.URI uri;
        try {
            uri = new java.net.URI(text);
        } catch (java.net.URISyntaxException e) {
            return false;
        }
        boolean ascii = text.chars().allMatch(c -> c < 0x7f);
        if (!ascii || hasBracket(uri.getRawQuery()) || hasBracket(uri.getRawFragment())) {
            return false;
        }
        String lower = text.toLowerCase();
        if (lower.startsWith("data:image/")) {
            return lower.contains(";base64,");
        }
        return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    }

    private static boolean hasBracket(String part) {
        return part != null && (part.indexOf('[') >= 0 || part.indexOf(']') >= 0);
    }

    /** A value fit for an error detail: never a megabyte string. */
    static Object shorten(Object value) {
        if (value instanceof JsonNode node) {
            if (node.isTextual()) {
                return shorten(node.asText());
            }
            if (node.isNumber() || node.isBoolean()) {
                return node;
            }
            return node.getNodeType().name().toLowerCase();
        }
        if (value instanceof String text && text.length() > SHOWN_VALUE_CHARS) {
            return text.substring(0, SHOWN_VALUE_CHARS) + "...(" + text.length() + " chars)";
        }
        return value;
    }
}
