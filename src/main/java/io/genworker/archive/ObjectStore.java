package io.genworker.archive;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;

/** Where finished videos are archived. Every method is non-blocking; failures are ObjectStoreException. */
public interface ObjectStore extends AutoCloseable {

    /**
     * Streams body into key, holding at most about one part in memory, and completes once the object is whole
     * (visible to readers all at once). Fails, leaving no object and no pending upload behind (best effort), when the
     * body fails, when announcedLength >= 0 and the body's length differs, or when storage refuses; cancelling the
     * Uni cancels the body and cleans up the same way.
     *
     * @param announcedLength the length the source announced, -1 when unknown
     */
    default Uni<StoredObject> put(String key, String contentType, long announcedLength, Multi<Buffer> body) {
        return put(key, contentType, announcedLength, body, null);
    }

    /**
     * The same, recording origin (ASCII, see {@link StoredObject#origin}) in the object's metadata, so that a later
     * look at the key can tell this copy from another generation's.
     */
    Uni<StoredObject> put(String key, String contentType, long announcedLength, Multi<Buffer> body, String origin);

    /**
     * The object under key, or a null item when there is none. An object that exists is complete, since a multipart
     * upload becomes visible only at completion; its SHA-256 is computed by reading it back, so this costs a download.
     */
    Uni<StoredObject> existing(String key);

    /** A URL a client can download key from: under the public base URL when configured, else presigned. */
    String urlFor(String key);

    /** Succeeds when the bucket answers (readiness); fails when storage is down or the bucket is missing. */
    Uni<Void> check();

    /**
     * Aborts the multipart uploads pending under exactly this key (a worker killed mid-copy left them); never
     * fails: the number aborted, 0 when none or when the server cannot list them.
     */
    Uni<Integer> abortPending(String key);

    /** The bucket objects go to. */
    String bucket();

    @Override
    void close();
}
