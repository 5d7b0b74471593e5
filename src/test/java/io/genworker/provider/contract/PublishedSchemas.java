package io.genworker.provider.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.catalogue.ModelSpec;

/**
 * The request schemas the providers publish, one per catalogue model, copied into test resources under
 * {@value #ROOT} (their README says where each came from). They are OpenAPI 3.0 schema objects, read with that
 * dialect so that {@code nullable} means what it says, and with {@code format} asserted.
 */
final class PublishedSchemas {

    static final String ROOT = "contract/schemas";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30(),
            builder -> builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private final Map<String, Published> schemas = new HashMap<>();

    private record Published(JsonNode node, Schema schema, Set<String> parameters, Set<String> required) {
    }

    PublishedSchemas(ModelCatalogue catalogue, ObjectMapper json) {
        for (ModelSpec spec : catalogue.models()) {
            JsonNode node = read(json, resource(spec));
            Set<String> parameters = new TreeSet<>();
            node.path("properties").fieldNames().forEachRemaining(parameters::add);
            Set<String> required = new TreeSet<>();
            node.path("required").forEach(name -> required.add(name.asText()));
            schemas.put(key(spec), new Published(node, REGISTRY.getSchema(node), parameters, required));
        }
    }

    /** Where a model's schema lives: the provider's folder, the model id with {@code /} as {@code -}. */
    static String resource(ModelSpec spec) {
        return ROOT + "/" + spec.provider() + "/" + spec.model().replace('/', '-') + ".request.json";
    }

    /**
     * Every way a body breaks the model's published schema, plus every field the schema does not list (the
     * published schemas do not forbid them, but a provider has no use for a field it does not document); empty
     * when the body fits.
     */
    List<String> mismatches(ModelSpec spec, JsonNode body) {
        Published published = schemas.get(key(spec));
        List<String> found = new ArrayList<>();
        published.schema().validate(body).forEach(error -> found.add(error.toString()));
        body.fieldNames().forEachRemaining(field -> {
            if (!published.parameters().contains(field)) {
                found.add("/" + field + ": not a parameter of the published schema");
            }
        });
        return found;
    }

    /** The fields the published schema requires in a body. */
    Set<String> required(ModelSpec spec) {
        return schemas.get(key(spec)).required();
    }

    /** The model's published schema as written, for deriving values that break it. */
    JsonNode schema(ModelSpec spec) {
        return schemas.get(key(spec)).node();
    }

    private static String key(ModelSpec spec) {
        return spec.provider() + ":" + spec.model();
    }

    private static JsonNode read(ObjectMapper json, String resource) {
        try (InputStream in = PublishedSchemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no published schema at " + resource);
            }
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
