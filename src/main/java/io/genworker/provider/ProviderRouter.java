package io.genworker.provider;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/** Finds the adapter of a job's provider. */
@ApplicationScoped
public class ProviderRouter {

    private final Map<String, VideoProvider> providers;

    public ProviderRouter(Instance<VideoProvider> adapters) {
        this.providers = adapters.stream().collect(Collectors.toMap(VideoProvider::id, Function.identity()));
    }

    /** The providers the worker has an adapter for. */
    public Set<String> ids() {
        return providers.keySet();
    }

    /** The adapter of this provider, if the worker has one. */
    public Optional<VideoProvider> find(String provider) {
        return Optional.ofNullable(providers.get(provider));
    }

    public VideoProvider get(String provider) {
        VideoProvider adapter = providers.get(provider);
        if (adapter == null) {
            throw new IllegalStateException("no adapter for provider " + provider);
        }
        return adapter;
    }
}
