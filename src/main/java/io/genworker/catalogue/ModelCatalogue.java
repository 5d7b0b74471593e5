package io.genworker.catalogue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Every model the worker serves, loaded from catalogue/models.json: data copied from the providers' docs. */
@ApplicationScoped
public class ModelCatalogue {

    static final String RESOURCE = "catalogue/models.json";

    private final List<ModelSpec> models;

    @Inject
    public ModelCatalogue(ObjectMapper mapper) {
        this(load(mapper));
    }

    ModelCatalogue(List<ModelSpec> models) {
        this.models = List.copyOf(models);
    }

    public static ModelCatalogue fromClasspath(ObjectMapper mapper) {
        return new ModelCatalogue(load(mapper));
    }

    private static List<ModelSpec> load(ObjectMapper mapper) {
        try (InputStream in = ModelCatalogue.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return List.of(mapper.readValue(in, Catalogue.class).models());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    public List<ModelSpec> models() {
        return models;
    }

    /** The model on the given provider, or on its only provider when none is given. */
    public Optional<ModelSpec> find(String model, String provider) {
        List<ModelSpec> matches = models.stream()
                .filter(m -> m.model().equals(model))
                .filter(m -> provider == null || m.provider().equals(provider))
                .toList();
        return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }

    public boolean isAmbiguous(String model) {
        return models.stream().filter(m -> m.model().equals(model)).count() > 1;
    }

    record Catalogue(ModelSpec[] models) {
    }
}
