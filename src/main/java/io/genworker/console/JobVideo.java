package io.genworker.console;

import java.net.URI;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import io.genworker.archive.ObjectStore;
import io.genworker.config.WorkerConfig;
import io.genworker.index.IndexedJob;

/**
 * Where the player fetches a job's video: the archived copy, by a URL made at the moment it is asked for (a presigned
 * URL stored in the index may have expired since; a public base URL never does), else the URL the index holds for
 * the copy, else the provider's own (which expires: Segmind's after an hour). Only http(s) URLs are ever used: a
 * provider or a request could have named anything.
 */
@ApplicationScoped
public class JobVideo {

    private final WorkerConfig config;
    private final Instance<ObjectStore> store;
    private final Set<String> mediaOrigins;

    public JobVideo(WorkerConfig config, ConsoleConfig console, Instance<ObjectStore> store) {
        this.config = config;
        this.store = store;
        this.mediaOrigins = ConsoleHeaders.mediaOrigins(config.archive(), console.mediaOrigins());
    }

    /**
     * Whether the page's player may load this URL: its origin is one the Content-Security-Policy lets media come
     * from (a provider's URL usually is not: the page then links to it instead of playing it).
     */
    public boolean playsInPage(String url) {
        return ConsoleHeaders.origin(url).map(origin -> ConsoleHeaders.allows(mediaOrigins, origin)).orElse(false);
    }

    /** The URL to send the player to, or empty when the job has no video. */
    public Optional<String> location(IndexedJob job) {
        if (config.archive().enabled() && job.archiveKey() != null && store.isResolvable()) {
            ObjectStore objects = store.get();
            if (objects.bucket().equals(job.archiveBucket())) {
                return httpUrl(objects.urlFor(job.archiveKey()));
            }
        }
        return playableUrl(job);
    }

    /** The index's own URLs for the video, archived copy first, when they are http(s). */
    static Optional<String> playableUrl(IndexedJob job) {
        Optional<String> archived = httpUrl(job.archiveUrl());
        if (archived.isPresent()) {
            return archived;
        }
        if (job.video() != null && job.video().hasNonNull("url")) {
            return httpUrl(job.video().get("url").asText());
        }
        return Optional.ofNullable(job.videoUrl()).flatMap(JobVideo::httpUrl);
    }

    static Optional<String> httpUrl(String url) {
        if (url == null) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(url);
            String scheme = uri.getScheme();
            boolean http = scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"));
            return http && uri.getHost() != null ? Optional.of(uri.toString()) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
