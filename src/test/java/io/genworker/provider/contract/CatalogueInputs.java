package io.genworker.provider.contract;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelSpec;
import io.genworker.catalogue.ParameterSpec;

/**
 * Request inputs made from the catalogue's own description of a model: inputs it must accept (the minimal and the
 * maximal one, every enum value, every boundary, every form of image reference, every combination of enum values)
 * and inputs one mistake away from them (wrong types, values outside an enum or a range, a missing parameter).
 */
final class CatalogueInputs {

    /** One input for one model; its label is what a failing test shows. */
    record Case(ModelSpec spec, String label, ObjectNode input) {
        @Override
        public String toString() {
            return spec.model() + ": " + label;
        }
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Longer limits (image references allow 10 MiB) are reached by the record-size limit first. */
    private static final int LONGEST_BUILT_STRING = 100_000;
    /** Below the 1 MiB record limit with room for the envelope. */
    private static final int LARGE_DATA_URI_CHARS = 900_000;
    private static final String PNG_DATA_URI = "data:image/png;base64,"
            + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    private CatalogueInputs() {
    }

    /** The required parameters, each with a typical value. */
    static ObjectNode minimal(ModelSpec spec) {
        ObjectNode input = NODES.objectNode();
        spec.parameters().forEach((name, param) -> {
            if (param.required()) {
                input.set(name, typical(name, param));
            }
        });
        return input;
    }

    /** Every parameter, each with a typical value. */
    static ObjectNode maximal(ModelSpec spec) {
        ObjectNode input = NODES.objectNode();
        spec.parameters().forEach((name, param) -> input.set(name, typical(name, param)));
        return input;
    }

    /** Accepted inputs worth a name: minimal, maximal, and one accepted value at a time on the minimal input. */
    static List<Case> accepted(ModelSpec spec) {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case(spec, "only the required parameters", minimal(spec)));
        cases.add(new Case(spec, "every parameter", maximal(spec)));
        ObjectNode nulls = minimal(spec);
        spec.parameters().forEach((name, param) -> {
            if (!param.required()) {
                nulls.putNull(name);
            }
        });
        cases.add(new Case(spec, "every optional parameter given as null", nulls));
        spec.parameters().forEach((name, param) -> acceptedValues(param).forEach((label, value) -> cases.add(
                new Case(spec, name + " " + label, with(minimal(spec), name, value)))));
        return cases;
    }

    /**
     * The minimal input under every combination of the values of its enum and boolean parameters, an optional one
     * also left out.
     */
    static List<ObjectNode> enumCombinations(ModelSpec spec) {
        List<ObjectNode> combinations = List.of(minimal(spec));
        for (Map.Entry<String, ParameterSpec> entry : spec.parameters().entrySet()) {
            List<JsonNode> choices = choices(entry.getValue());
            if (choices.isEmpty()) {
                continue;
            }
            List<ObjectNode> next = new ArrayList<>();
            for (ObjectNode combination : combinations) {
                if (!entry.getValue().required()) {
                    ObjectNode without = combination.deepCopy();
                    without.remove(entry.getKey());
                    next.add(without);
                }
                choices.forEach(choice -> next.add(with(combination, entry.getKey(), choice)));
            }
            combinations = next;
        }
        return combinations;
    }

    /**
     * The minimal input with one mistake: each parameter given a wrong or doubtful value, each required one left
     * out, and a parameter the model does not have.
     */
    static List<Case> oneMistakeAway(ModelSpec spec) {
        List<Case> cases = new ArrayList<>();
        spec.parameters().forEach((name, param) -> {
            wrongValues(name, param).forEach((label, value) -> cases.add(
                    new Case(spec, name + " " + label, with(minimal(spec), name, value))));
            if (param.required()) {
                ObjectNode without = minimal(spec);
                without.remove(name);
                cases.add(new Case(spec, "without " + name, without));
            }
        });
        cases.add(new Case(spec, "with an undocumented parameter", minimal(spec).put("undocumented", "x")));
        cases.add(new Case(spec, "with the model named inside input", minimal(spec).put("model", "other")));
        return cases;
    }

    static ObjectNode with(ObjectNode input, String name, JsonNode value) {
        ObjectNode copy = input.deepCopy();
        copy.set(name, value);
        return copy;
    }

    private static JsonNode typical(String name, ParameterSpec param) {
        if (hasEnum(param)) {
            return param.allowed().contains(param.defaultValue()) ? param.defaultValue() : param.allowed().get(0);
        }
        return switch (param.type()) {
            case "integer" -> param.defaultValue() != null ? param.defaultValue()
                    : NODES.numberNode(param.minimum() != null ? Math.max(param.minimum(), 1) : 1);
            case "boolean" -> NODES.booleanNode(true);
            default -> imageReference(param) ? NODES.textNode("https://example.com/" + name + ".png")
                    : NODES.textNode("A dragon over the mountains, " + name);
        };
    }

    private static Map<String, JsonNode> acceptedValues(ParameterSpec param) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        if (hasEnum(param)) {
            param.allowed().forEach(value -> values.put("= " + value, value));
            return values;
        }
        switch (param.type()) {
            case "integer" -> {
                if (param.minimum() != null) {
                    values.put("at its minimum " + param.minimum(), NODES.numberNode(param.minimum()));
                }
                if (param.maximum() != null) {
                    values.put("at its maximum " + param.maximum(), NODES.numberNode(param.maximum()));
                }
            }
            case "boolean" -> {
                values.put("= true", NODES.booleanNode(true));
                values.put("= false", NODES.booleanNode(false));
            }
            default -> {
                if (imageReference(param)) {
                    values.put("as an https URL", NODES.textNode("https://example.com/frames/first.png"));
                    values.put("as an http URL with port, query and escapes",
                            NODES.textNode("http://images.example.com:8080/a%20b/first.png?size=large&v=2#top"));
                    values.put("as an IPv6 URL", NODES.textNode("https://[2001:db8::1]/first.png"));
                    values.put("as a PNG data URI", NODES.textNode(PNG_DATA_URI));
                    values.put("as a data URI of " + LARGE_DATA_URI_CHARS + " chars", NODES.textNode(
                            "data:image/jpeg;base64," + "A".repeat(LARGE_DATA_URI_CHARS - 23)));
                } else {
                    values.put("with quotes, newlines and non-ASCII text",
                            NODES.textNode("\"Ça va?\" she asks.\nThe dragon — 龍 — answers 🐉"));
                }
                if (param.minLength() != null) {
                    values.put("of its minimum length " + param.minLength(),
                            NODES.textNode("p".repeat(param.minLength())));
                }
                if (param.maxLength() != null && param.maxLength() <= LONGEST_BUILT_STRING) {
                    values.put("of its maximum length " + param.maxLength(),
                            NODES.textNode("p".repeat(param.maxLength())));
                }
            }
        }
        return values;
    }

    private static List<JsonNode> choices(ParameterSpec param) {
        if (hasEnum(param)) {
            return param.allowed();
        }
        if ("boolean".equals(param.type())) {
            return List.of(NODES.booleanNode(true), NODES.booleanNode(false));
        }
        return List.of();
    }

    private static Map<String, JsonNode> wrongValues(String name, ParameterSpec param) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        values.put("as null", NODES.nullNode());
        switch (param.type()) {
            case "integer" -> {
                values.put("as text", NODES.textNode(typical(name, param).asText()));
                values.put("as a fraction", NODES.numberNode(1.5));
                values.put("as a boolean", NODES.booleanNode(true));
                values.put("as a number beyond 64 bits", NODES.numberNode(BigInteger.TEN.pow(20)));
                if (hasEnum(param)) {
                    long largest = param.allowed().stream().mapToLong(JsonNode::longValue).max().orElseThrow();
                    values.put("outside its enum", NODES.numberNode(largest + 1));
                }
                if (param.minimum() != null) {
                    values.put("below its minimum", NODES.numberNode(param.minimum() - 1));
                }
                if (param.maximum() != null) {
                    values.put("above its maximum", NODES.numberNode(param.maximum() + 1));
                }
            }
            case "boolean" -> {
                values.put("as text", NODES.textNode("true"));
                values.put("as a number", NODES.numberNode(1));
            }
            default -> {
                values.put("as a number", NODES.numberNode(42));
                values.put("as a boolean", NODES.booleanNode(true));
                values.put("as an object", NODES.objectNode().put("url", "https://example.com/a.png"));
                values.put("as an array", NODES.arrayNode().add("https://example.com/a.png"));
                values.put("as empty text", NODES.textNode(""));
                values.put("as blank text", NODES.textNode("   "));
                if (hasEnum(param)) {
                    values.put("outside its enum", NODES.textNode("not-a-" + name));
                    String first = param.allowed().get(0).asText();
                    String swapped = first.equals(first.toUpperCase(Locale.ROOT)) ? first.toLowerCase(Locale.ROOT)
                            : first.toUpperCase(Locale.ROOT);
                    if (!swapped.equals(first)) {
                        values.put("in another letter case", NODES.textNode(swapped));
                    }
                }
                if (imageReference(param)) {
                    values.put("as a relative path", NODES.textNode("/frames/first.png"));
                    values.put("with a space", NODES.textNode("https://example.com/first frame.png"));
                    values.put("as a file URL", NODES.textNode("file:///etc/passwd"));
                    values.put("as an FTP URL", NODES.textNode("ftp://example.com/first.png"));
                    values.put("as a data URI without base64", NODES.textNode("data:image/png,raw"));
                    values.put("as a data URI of another type", NODES.textNode("data:text/html;base64,PGgxPg=="));
                }
                if (param.maxLength() != null && param.maxLength() <= LONGEST_BUILT_STRING) {
                    values.put("one char over its maximum length",
                            NODES.textNode("p".repeat(param.maxLength() + 1)));
                }
            }
        }
        return values;
    }

    private static boolean hasEnum(ParameterSpec param) {
        return param.allowed() != null && !param.allowed().isEmpty();
    }

    private static boolean imageReference(ParameterSpec param) {
        return "image-url".equals(param.format());
    }
}
