package io.genworker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.CrossFieldRule;
import io.genworker.catalogue.ModelCatalogue;
import io.genworker.catalogue.ModelSpec;
import io.genworker.catalogue.ParameterSpec;
import io.genworker.support.ContractSchemas;

/**
 * The per-model input schemas of the request schema ({@value #FILE}) are generated from the catalogue, never written
 * by hand: this test fails when the file differs from what the catalogue gives (run it with
 * {@code -Dcontract.write=true} to rewrite the file), and holds the schemas to intake's own verdicts on inputs derived
 * from every parameter of every model, one broken rule at a time.
 */
class InputSchemasTest {

    static final String FILE = "src/main/resources/" + ContractSchemas.ROOT + "inputs.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ModelCatalogue CATALOGUE = ModelCatalogue.fromClasspath(JSON);
    /**
     * Intake's image check in a pattern (http(s) with a host, or a base64 data:image URI; printable ASCII). Intake
     * also parses the value as a URI and refuses brackets in the query or fragment: it stays the authority.
     */
    static final String IMAGE_PATTERN = "^(https?://[A-Za-z0-9._~%!$&'()*+,;=:@\\[\\]-]+([/?#][!-~]*)?"
            + "|[dD][aA][tT][aA]:[iI][mM][aA][gG][eE]/[!-~]*;[bB][aA][sS][eE]64,[!-~]*)$";

    /** The document the catalogue gives. */
    static ObjectNode generate(ModelCatalogue catalogue) {
        ObjectNode document = NODES.objectNode();
        document.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        document.put("title", "generation-worker: the input of each model");
        document.put("description", "GENERATED from src/main/resources/catalogue/models.json by InputSchemasTest: do "
                + "not edit (./mvnw -o test -Dtest=InputSchemasTest -Dcontract.write=true rewrites it). The request "
                + "schema applies byModel: the input of a request for a model of the catalogue must fit that model's "
                + "schema. Intake is the authority: it counts string lengths in UTF-16 units, takes only integers "
                + "without a fraction (5, not 5.0) and parses image URLs as URIs.");
        ObjectNode defs = document.putObject("$defs");
        ArrayNode dispatch = defs.putObject("byModel")
                .put("description", "For each model of the catalogue: its input schema.").putArray("allOf");
        for (ModelSpec spec : catalogue.models()) {
            String key = spec.provider() + "." + spec.model().replace('/', '-');
            ObjectNode when = NODES.objectNode();
            when.putArray("required").add("model");
            ObjectNode properties = when.putObject("properties");
            properties.putObject("model").put("const", spec.model());
            if (catalogue.isAmbiguous(spec.model())) {
                properties.putObject("provider").put("const", spec.provider());
            }
            ObjectNode entry = dispatch.addObject();
            entry.set("if", when);
            entry.putObject("then").putObject("properties").putObject("input").put("$ref", "#/$defs/" + key);
            defs.set(key, input(spec));
        }
        return document;
    }

    private static ObjectNode input(ModelSpec spec) {
        ObjectNode schema = NODES.objectNode();
        schema.put("description", spec.model() + " on " + spec.provider() + " (docs: " + spec.doc()
                + "). Unknown parameters are refused; a parameter given as null counts as left out.");
        schema.put("type", "object");
        schema.put("additionalProperties", false);
        ArrayNode required = schema.putArray("required");
        ObjectNode properties = schema.putObject("properties");
        spec.parameters().forEach((name, param) -> {
            if (param.required()) {
                required.add(name);
            }
            properties.set(name, parameter(param));
        });
        if (!spec.rules().isEmpty()) {
            ArrayNode rules = schema.putArray("allOf");
            spec.rules().forEach(rule -> rules.add(rule(spec, rule)));
        }
        return schema;
    }

    private static ObjectNode parameter(ParameterSpec param) {
        ObjectNode value = NODES.objectNode().put("type", param.type());
        if (param.allowed() != null && !param.allowed().isEmpty()) {
            value.putArray("enum").addAll(param.allowed());
        }
        if (param.minimum() != null) {
            value.put("minimum", param.minimum());
        }
        if (param.maximum() != null) {
            value.put("maximum", param.maximum());
        }
        if (param.minLength() != null) {
            value.put("minLength", param.minLength());
        }
        if (param.maxLength() != null) {
            value.put("maxLength", param.maxLength());
        }
        if ("image-url".equals(param.format())) {
            value.put("pattern", IMAGE_PATTERN);
        } else if (param.format() != null) {
            throw new IllegalStateException("no schema for catalogue format " + param.format());
        }
        if (param.required()) {
            return value;
        }
        ObjectNode optional = NODES.objectNode();
        optional.putArray("anyOf").add(value).addObject().put("type", "null");
        if (param.defaultValue() != null) {
            optional.set("default", param.defaultValue());
        }
        return optional;
    }

    /** "When A equals X, B is not one of N", with the documented defaults standing in for absent values. */
    private static ObjectNode rule(ModelSpec spec, CrossFieldRule rule) {
        ObjectNode schema = NODES.objectNode().put("description", rule.rule() + ": " + rule.message());
        String whenField = rule.when().field();
        ObjectNode condition = NODES.objectNode();
        ObjectNode equal = NODES.objectNode();
        equal.putObject("properties").putObject(whenField).set("const", rule.when().equals());
        if (rule.when().equals().equals(defaultOf(spec, whenField))) {
            ArrayNode either = condition.putArray("anyOf");
            either.addObject().putObject("not").putArray("required").add(whenField);
            either.addObject().putObject("properties").putObject(whenField).put("type", "null");
            either.add(equal);
        } else {
            condition.putArray("required").add(whenField);
            condition.setAll(equal);
        }
        schema.set("if", condition);
        ObjectNode then = schema.putObject("then");
        ObjectNode notIn = NODES.objectNode();
        if (rule.notIn().contains(defaultOf(spec, rule.field()))) {
            then.putArray("required").add(rule.field());
            ArrayNode either = notIn.putObject("not").putArray("anyOf");
            either.addObject().put("type", "null");
            either.addObject().putArray("enum").addAll(rule.notIn());
        } else {
            notIn.putObject("not").putArray("enum").addAll(rule.notIn());
        }
        then.putObject("properties").set(rule.field(), notIn);
        return schema;
    }

    private static JsonNode defaultOf(ModelSpec spec, String field) {
        ParameterSpec param = spec.parameters().get(field);
        return param == null ? null : param.defaultValue();
    }

    @Test
    void theFileIsWhatTheCatalogueGives() throws IOException {
        String generated = JSON.writeValueAsString(generate(CATALOGUE)) + "\n";
        Path file = Path.of(FILE);
        if (Boolean.getBoolean("contract.write")) {
            Files.writeString(file, generated);
        }
        assertThat(JSON.readTree(file.toFile())).as(FILE + " is generated from the catalogue: rewrite it with "
                + "./mvnw -o test -Dtest=InputSchemasTest -Dcontract.write=true").isEqualTo(JSON.readTree(generated));
    }

    @Test
    void theSchemaAndIntakeAgreeOnEveryParameterOfEveryModel() {
        InputValidator validator = new InputValidator();
        List<String> disagreements = new ArrayList<>();
        int cases = 0;
        for (ModelSpec spec : CATALOGUE.models()) {
            for (Map.Entry<String, ObjectNode> input : inputs(spec).entrySet()) {
                ObjectNode request = NODES.objectNode().put("model", spec.model()).put("provider", spec.provider());
                request.set("input", input.getValue());
                boolean intake = validator.validate(spec, input.getValue()).isEmpty();
                List<String> violations = ContractSchemas.violations(ContractSchemas.REQUEST, request);
                if (intake != violations.isEmpty()) {
                    disagreements.add(spec.model() + ", " + input.getKey() + ": intake "
                            + (intake ? "accepts" : "refuses") + ", the schema " + (intake ? violations : "accepts")
                            + " " + shortened(input.getValue().toString()));
                }
                cases++;
            }
        }
        assertThat(disagreements).as("inputs the schema and intake judge differently").isEmpty();
        assertThat(cases).isGreaterThan(100);
    }

    /** A valid input of the model, then that input with one thing changed, by what changed. */
    private static Map<String, ObjectNode> inputs(ModelSpec spec) {
        ObjectNode valid = ModelInputs.of(spec.model());
        Map<String, ObjectNode> inputs = new LinkedHashMap<>();
        inputs.put("valid", valid);
        inputs.put("an unknown parameter", change(valid, i -> i.put("colour", "red")));
        spec.parameters().forEach((name, param) -> {
            inputs.put(name + " left out", change(valid, i -> i.remove(name)));
            inputs.put(name + " null", change(valid, i -> i.putNull(name)));
            inputs.put(name + " of another type", change(valid, i -> {
                if ("string".equals(param.type())) {
                    i.put(name, 5);
                } else {
                    i.put(name, "5");
                }
            }));
            if (param.allowed() != null && !param.allowed().isEmpty()) {
                param.allowed().forEach(allowed -> inputs.put(name + " = " + allowed, change(valid,
                        i -> i.set(name, allowed))));
                inputs.put(name + " not allowed", change(valid, i -> i.set(name, "string".equals(param.type())
                        ? NODES.textNode("other") : NODES.numberNode(987654))));
            }
            if ("integer".equals(param.type())) {
                if (param.minimum() != null) {
                    inputs.put(name + " at its minimum", change(valid, i -> i.put(name, param.minimum())));
                    inputs.put(name + " below its minimum", change(valid, i -> i.put(name, param.minimum() - 1)));
                }
                if (param.maximum() != null) {
                    inputs.put(name + " at its maximum", change(valid, i -> i.put(name, param.maximum())));
                    inputs.put(name + " above its maximum", change(valid, i -> i.put(name, param.maximum() + 1)));
                }
            }
            if ("boolean".equals(param.type())) {
                inputs.put(name + " true", change(valid, i -> i.put(name, true)));
            }
            if ("string".equals(param.type()) && param.allowed() == null) {
                if (param.maxLength() != null && param.maxLength() <= 100_000) {
                    inputs.put(name + " at its max length", change(valid, i -> i.put(name, "a".repeat(
                            param.maxLength()))));
                    inputs.put(name + " too long", change(valid, i -> i.put(name, "a".repeat(
                            param.maxLength() + 1))));
                }
                if (param.minLength() != null && param.minLength() > 0) {
                    inputs.put(name + " too short", change(valid, i -> i.put(name, "")));
                }
                if ("image-url".equals(param.format())) {
                    for (String image : List.of("https://example.com/a.png", "http://example.com:8080/a?b=c",
                            "data:image/png;base64,iVBORw0KGgo=", "DATA:IMAGE/PNG;BASE64,iVBO", "ftp://example.com/a",
                            "/a.png", "https://", "example.com/a.png", "data:text/plain;base64,aGk=",
                            "data:image/png,raw", "https://exämple.com/a.png", "javascript:alert(1)")) {
                        inputs.put(name + " = " + image, change(valid, i -> i.put(name, image)));
                    }
                } else {
                    inputs.put(name + " set", change(valid, i -> i.put(name, "a value")));
                }
            }
        });
        for (CrossFieldRule rule : spec.rules()) {
            inputs.put(rule.rule() + " broken", change(valid, i -> {
                i.set(rule.when().field(), rule.when().equals());
                i.set(rule.field(), rule.notIn().get(0));
            }));
            inputs.put(rule.rule() + " broken through defaults", change(valid, i -> {
                i.remove(rule.when().field());
                i.set(rule.field(), rule.notIn().get(0));
            }));
            inputs.put(rule.rule() + " condition alone", change(valid, i -> {
                i.set(rule.when().field(), rule.when().equals());
                i.remove(rule.field());
            }));
            inputs.put(rule.rule() + " condition, target null", change(valid, i -> {
                i.set(rule.when().field(), rule.when().equals());
                i.putNull(rule.field());
            }));
        }
        return inputs;
    }

    private static String shortened(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }

    private static ObjectNode change(ObjectNode input, Consumer<ObjectNode> change) {
        ObjectNode copy = input.deepCopy();
        change.accept(copy);
        return copy;
    }
}
