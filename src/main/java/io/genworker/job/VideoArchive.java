package io.genworker.job;

/**
 * Where the worker keeps its own copy of a job's video (issue 13). Bucket and key are the stable reference; the URL
 * is a presigned GET (valid at most 7 days from the copy) or a public URL, as `worker.archive` sets it.
 *
 * @param sha256 lowercase hex of the stored bytes, computed while they streamed through the worker
 * @param size the stored object's length in bytes
 */
public record VideoArchive(String bucket, String key, String url, String sha256, long size) {
}
