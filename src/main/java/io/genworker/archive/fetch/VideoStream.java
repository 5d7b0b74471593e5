package io.genworker.archive.fetch;

import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.core.buffer.Buffer;

/**
 * body emits the bytes in order, with backpressure (Multi from a Vert.x ReadStream), and fails with
 * VideoFetchException if the body exceeds the size limit or ends short of/over announcedLength. The body can be
 * subscribed once; cancelling it closes the connection.
 *
 * @param announcedLength the response's Content-Length, -1 when unknown (chunked)
 * @param contentType the response's Content-Type, "application/octet-stream" when absent
 */
public record VideoStream(long announcedLength, String contentType, Multi<Buffer> body) {
}
