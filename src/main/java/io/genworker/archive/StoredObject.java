package io.genworker.archive;

/**
 * An object as the archive holds it, whether just written by put() or found by existing() after a restart.
 *
 * @param size bytes, as counted while streaming (not as announced)
 * @param sha256 lowercase hex SHA-256 of those bytes, computed while streaming
 * @param contentType the Content-Type the object is served with
 * @param origin what the object was copied from (the provider's generation id, in the object's metadata), null
 *        when it was stored without one
 */
public record StoredObject(String bucket, String key, long size, String sha256, String contentType, String origin) {

    /** Metadata key (x-amz-meta-genworker-origin) of {@link #origin}. */
    public static final String ORIGIN = "genworker-origin";

    public StoredObject(String bucket, String key, long size, String sha256, String contentType) {
        this(bucket, key, size, sha256, contentType, null);
    }
}
