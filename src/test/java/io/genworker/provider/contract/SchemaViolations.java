package io.genworker.provider.contract;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelSpec;

/**
 * Request inputs that break one constraint of a model's published request schema, derived from the schema alone
 * (not from the catalogue, as {@link CatalogueInputs} are): a rule the provider states and the catalogue lacks still
 * yields a case. For each property: a value of a wrong type, a value outside its {@code enum} (or the union of its
 * {@code anyOf}/{@code oneOf} enums), just outside its {@code minimum}/{@code maximum}, one character outside its
 * {@code minLength}/{@code maxLength}, not matching its {@code pattern}, breaking its {@code format}; and each
 * {@code required} property left out. Each value is set on the catalogue's minimal valid input for the model.
 */
final class SchemaViolations {

    /** One input breaking one rule of the schema on one property. */
    record Violation(ModelSpec spec, String property, String label, ObjectNode input, boolean leftOut) {
        @Override
        public String toString() {
            return spec.provider() + " " + spec.model() + ": " + label;
        }
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Longer strings are refused by the record-size limit before any rule of the schema. */
    private static final int LONGEST_BUILT_STRING = 100_000;

    /**
     * Strings that are not what a format asks for. For {@code uri} (RFC 3986, as the validator reads it: absolute,
     * ASCII only, nothing a URI cannot hold, no brackets in the query) each rule is broken once in each form of
     * image reference a request may use, an http(s) URL and a data URI.
     */
    private static final Map<String, Map<String, String>> FORMAT_VIOLATIONS = Map.of("uri", ordered(
            "a relative reference", "frames/first.png",
            "a URL with a space", "https://example.com/first frame.png",
            "a URL with non-ASCII text", "https://example.com/premi\u00e8re-image.png",
            "a URL with a line break", "https://example.com/first\n.png",
            "a URL with brackets in its query", "https://example.com/first.png?crop[x]=1",
            "a data URI with a space", "data:image/png;base64,iVBORw0K GgoAAAANSUhEUg==",
            "a data URI with a line break", "data:image/png;base64,iVBORw0K\nGgoAAAANSUhEUg==",
            "a data URI with non-ASCII text", "data:image/png;base64,iVBORw0K\u00e9GgoAAAANSUhEUg=="));

    /** Keywords of a property this class reads, or that constrain nothing; any other fails the derivation. */
    private static final Set<String> KNOWN_KEYWORDS = Set.of("type", "enum", "anyOf", "oneOf", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "format", "nullable",
            "default", "example", "description", "title");
    /** An anyOf/oneOf branch may only list values: anything else would make the union of their enums wrong. */
    private static final Set<String> KNOWN_BRANCH_KEYWORDS = Set.of("enum", "description", "title");

    private static final List<String> PATTERN_CANDIDATES = List.of("", " ", "!", "~~", "0", "a", "\u00e9");

    private SchemaViolations() {
    }

    /** Every violation the model's schema allows to derive. */
    static List<Violation> of(ModelSpec spec, JsonNode schema) {
        List<Violation> violations = new ArrayList<>();
        schema.path("properties").properties().forEach(property -> values(property.getKey(), property.getValue())
                .forEach((label, value) -> violations.add(new Violation(spec, property.getKey(),
                        property.getKey() + " " + label, CatalogueInputs.with(CatalogueInputs.minimal(spec),
                                property.getKey(), value),
                        false))));
        schema.path("required").forEach(required -> {
            ObjectNode without = CatalogueInputs.minimal(spec);
            without.remove(required.asText());
            violations.add(new Violation(spec, required.asText(), "without " + required.asText(), without, true));
        });
        return violations;
    }

    private static Map<String, JsonNode> values(String name, JsonNode property) {
        requireOnly(KNOWN_KEYWORDS, property, name);
        Map<String, JsonNode> values = new LinkedHashMap<>(wrongTypes(property.path("type").asText()));
        List<JsonNode> allowed = allowed(property);
        if (!allowed.isEmpty()) {
            JsonNode outside = outside(allowed);
            values.put("outside its enum (" + outside + ")", outside);
        }
        if (property.has("minimum")) {
            JsonNode minimum = property.get("minimum");
            JsonNode below = property.path("exclusiveMinimum").asBoolean() ? minimum : step(minimum, -1);
            values.put("below its minimum (" + below + ")", below);
        }
        if (property.has("maximum")) {
            JsonNode maximum = property.get("maximum");
            JsonNode above = property.path("exclusiveMaximum").asBoolean() ? maximum : step(maximum, 1);
            values.put("above its maximum (" + above + ")", above);
        }
        int minLength = property.path("minLength").asInt(0);
        if (minLength > 0) {
            values.put("shorter than its minLength " + minLength, NODES.textNode("p".repeat(minLength - 1)));
        }
        if (property.has("maxLength") && property.get("maxLength").asInt() < LONGEST_BUILT_STRING) {
            int maxLength = property.get("maxLength").asInt();
            values.put("longer than its maxLength " + maxLength, NODES.textNode("p".repeat(maxLength + 1)));
        }
        if (property.has("pattern")) {
            values.put("not matching its pattern", NODES.textNode(notMatching(name, property.get("pattern").asText())));
        }
        if (property.has("format")) {
            String format = property.get("format").asText();
            Map<String, String> broken = FORMAT_VIOLATIONS.get(format);
            if (broken == null) {
                throw new IllegalStateException("no value known to break format '" + format + "' of " + name);
            }
            broken.forEach((label, value) -> values.put("as " + label + " (not format " + format + ")",
                    NODES.textNode(value)));
        }
        return values;
    }

    private static Map<String, JsonNode> wrongTypes(String type) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        switch (type) {
            case "string" -> {
                values.put("as a number (not type string)", NODES.numberNode(42));
                values.put("as a boolean (not type string)", NODES.booleanNode(true));
                values.put("as an object (not type string)", NODES.objectNode());
            }
            case "integer" -> {
                values.put("as text (not type integer)", NODES.textNode("5"));
                values.put("as a fraction (not type integer)", NODES.numberNode(5.5));
                values.put("as a boolean (not type integer)", NODES.booleanNode(true));
            }
            case "number" -> {
                values.put("as text (not type number)", NODES.textNode("5"));
                values.put("as a boolean (not type number)", NODES.booleanNode(true));
            }
            case "boolean" -> {
                values.put("as text (not type boolean)", NODES.textNode("true"));
                values.put("as a number (not type boolean)", NODES.numberNode(1));
            }
            default -> throw new IllegalStateException("no value known to break type '" + type + "'");
        }
        return values;
    }

    /** The property's enum, or the union of the enums of its anyOf/oneOf branches; empty when it has none. */
    private static List<JsonNode> allowed(JsonNode property) {
        List<JsonNode> allowed = new ArrayList<>();
        property.path("enum").forEach(allowed::add);
        for (String combinator : List.of("anyOf", "oneOf")) {
            property.path(combinator).forEach(branch -> {
                requireOnly(KNOWN_BRANCH_KEYWORDS, branch, combinator + " branch");
                branch.path("enum").forEach(allowed::add);
            });
        }
        return allowed;
    }

    /** A value of the enum's own type that it does not hold: a gap between its numbers, or a near miss of its text. */
    private static JsonNode outside(List<JsonNode> allowed) {
        if (allowed.stream().allMatch(JsonNode::isIntegralNumber)) {
            Set<Long> numbers = allowed.stream().map(JsonNode::longValue).collect(Collectors.toSet());
            long candidate = Collections.min(numbers) + 1;
            while (numbers.contains(candidate)) {
                candidate++;
            }
            return NODES.numberNode(candidate);
        }
        String candidate = allowed.get(0).asText() + "-other";
        while (allowed.contains(NODES.textNode(candidate))) {
            candidate += "-other";
        }
        return NODES.textNode(candidate);
    }

    private static JsonNode step(JsonNode bound, int by) {
        return bound.isIntegralNumber() ? NODES.numberNode(bound.longValue() + by)
                : NODES.numberNode(bound.doubleValue() + by);
    }

    private static String notMatching(String name, String pattern) {
        Pattern compiled = Pattern.compile(pattern);
        return PATTERN_CANDIDATES.stream().filter(candidate -> !compiled.matcher(candidate).find()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no value known to break pattern of " + name));
    }

    private static void requireOnly(Set<String> known, JsonNode schema, String where) {
        schema.fieldNames().forEachRemaining(keyword -> {
            if (!known.contains(keyword)) {
                throw new IllegalStateException("no way known to break keyword '" + keyword + "' of " + where);
            }
        });
    }

    private static Map<String, String> ordered(String... labelsAndValues) {
        Map<String, String> ordered = new LinkedHashMap<>();
        for (int i = 0; i < labelsAndValues.length; i += 2) {
            ordered.put(labelsAndValues[i], labelsAndValues[i + 1]);
        }
        return ordered;
    }
}
