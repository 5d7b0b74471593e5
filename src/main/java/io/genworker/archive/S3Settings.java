package io.genworker.archive;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where archived videos go. Credentials are not here on purpose: they come from the AWS SDK's default chain
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, aws.accessKeyId / aws.secretAccessKey, profiles, instance roles), so
 * they never pass through our configuration objects or their toString.
 *
 * @param bucket the bucket objects are written to; it must exist (check() reports it missing)
 * @param endpointOverride an S3-compatible server (MinIO, s3proxy, R2...), empty for AWS itself
 * @param region the signing region; S3-compatible servers usually accept any, "us-east-1" is the usual choice
 * @param pathStyle http://host/bucket/key rather than http://bucket.host/key, which most non-AWS servers need
 * @param partSizeBytes the multipart part size, and so the bytes one transfer holds; at least 5 MiB (S3 refuses
 *     smaller parts except the last), and 10,000 parts cap an object at 10,000 x this
 * @param presignLifetime how long urlFor's presigned URLs stay valid, 7 days (SigV4's maximum) when empty
 * @param publicBaseUrl when set, urlFor returns publicBaseUrl/key (a CDN or a public bucket) instead of signing
 */
public record S3Settings(String bucket, Optional<URI> endpointOverride, String region, boolean pathStyle,
        int partSizeBytes, Optional<Duration> presignLifetime, Optional<String> publicBaseUrl) {

    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    public static final Duration MAX_PRESIGN_LIFETIME = Duration.ofDays(7);

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("bucket is required");
        }
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("region is required");
        }
        Objects.requireNonNull(endpointOverride, "endpointOverride");
        Objects.requireNonNull(presignLifetime, "presignLifetime");
        Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
        if (partSizeBytes < MIN_PART_SIZE) {
            throw new IllegalArgumentException("partSizeBytes must be at least " + MIN_PART_SIZE + " (S3's minimum part size)");
        }
        presignLifetime.ifPresent(lifetime -> {
            if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_PRESIGN_LIFETIME) > 0) {
                throw new IllegalArgumentException("presignLifetime must be within (0, 7 days]: SigV4 signs no longer");
            }
        });
        // One trailing slash or none: urlFor joins with "/" and a CDN would not map "//key" to the key.
        publicBaseUrl = publicBaseUrl.map(String::strip).filter(url -> !url.isEmpty()).map(S3Settings::withoutTrailingSlash);
    }

    public Duration presignLifetimeOrDefault() {
        return presignLifetime.orElse(MAX_PRESIGN_LIFETIME);
    }

    private static String withoutTrailingSlash(String url) {
        String trimmed = url;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}
