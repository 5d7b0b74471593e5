package io.genworker.archive;

/**
 * An object as the archive holds it, whether just written by put() or found by existing() after a restart.
 *
 * @param size bytes, as counted while streaming (not as announced)
 * @param sha256 lowercase hex SHA-256 of those bytes, computed while streaming
 * @param contentType the Content-Type the object is served with
 */
public record StoredObject(String bucket, String key, long size, String sha256, String contentType) {
}
