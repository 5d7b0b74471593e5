package io.genworker.archive;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.genworker.config.WorkerConfig;

/**
 * The storage settings of `worker.archive`, checked: a worker set to archive refuses to start with a setting it
 * could only fail on later (no bucket, parts under S3's minimum, a presigned URL longer than S3 signs for).
 */
final class ArchiveSettings {

    private ArchiveSettings() {
    }

    /** What is wrong with the settings, each naming its property; empty when they can be used. */
    static List<String> problems(WorkerConfig.Archive config) {
        List<String> problems = new ArrayList<>();
        if (config.bucket().filter(b -> !b.isBlank()).isEmpty()) {
            problems.add("worker.archive.bucket is required when worker.archive.enabled=true");
        }
        if (config.partSize() < S3Settings.MIN_PART_SIZE) {
            problems.add("worker.archive.part-size must be at least " + S3Settings.MIN_PART_SIZE
                    + " (S3's smallest part), got " + config.partSize());
        }
        if (config.maxTransfers() < 1) {
            problems.add("worker.archive.max-transfers must be at least 1, got " + config.maxTransfers());
        }
        Duration presign = config.presignLifetime();
        if (presign.compareTo(S3Settings.MAX_PRESIGN_LIFETIME) > 0 || presign.isNegative() || presign.isZero()) {
            problems.add("worker.archive.presign-lifetime must be between 1s and 7d, got " + config.presignLifetime());
        }
        if (config.copyTimeout().isNegative() || config.copyTimeout().isZero()) {
            problems.add("worker.archive.copy-timeout must be positive, got " + config.copyTimeout());
        }
        config.endpointOverride().ifPresent(endpoint -> checkUrl("worker.archive.endpoint-override", endpoint,
                problems));
        config.publicBaseUrl().ifPresent(base -> checkUrl("worker.archive.public-base-url", base, problems));
        return problems;
    }

    static S3Settings from(WorkerConfig.Archive config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("archiving is on but cannot work: " + String.join("; ", problems));
        }
        return new S3Settings(config.bucket().orElseThrow(), config.endpointOverride().map(URI::create),
                config.region(), config.pathStyle(), config.partSize(), Optional.of(config.presignLifetime()),
                config.publicBaseUrl());
    }

    private static void checkUrl(String property, String value, List<String> problems) {
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                problems.add(property + " must be an http(s) URL with a host");
            }
            if (uri.getUserInfo() != null) {
                problems.add(property + " must not carry credentials (the SDK's default chain provides them)");
            }
        } catch (java.net.URISyntaxException e) {
            problems.add(property + " is not a URL: " + e.getReason());
        }
    }
}
