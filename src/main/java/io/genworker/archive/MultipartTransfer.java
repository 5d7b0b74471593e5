package io.genworker.archive;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.buffer.Buffer;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One put(): the body's bytes are copied into a part buffer of partSize, a full part is uploaded while the body is
 * asked for nothing more, and the next item is requested only once the part has room again. So a transfer holds one
 * part plus the rest of at most one Vert.x buffer, whatever the object's size.
 *
 * <p>A body that ends before filling one part is sent as a single PutObject (small videos, the empty body); the
 * multipart upload is created only when the first part fills, so a body failing early leaves nothing to abort.
 *
 * <p>Threads: items arrive on the body's thread, S3 answers on the SDK's. They never run at once for one transfer,
 * since an item is requested only when no S3 call is in flight, except for the body's terminal signal and
 * cancellation, which may come at any time; the monitor makes those races plain. It is held only for bookkeeping and
 * for starting calls that return futures, never across I/O.
 */
final class MultipartTransfer implements Flow.Subscriber<Buffer> {

    private static final Logger LOG = Logger.getLogger(MultipartTransfer.class);
    private static final int MAX_PARTS = 10_000;

    private final S3AsyncClient s3;
    private final String bucket;
    private final String key;
    private final String contentType;
    private final long announcedLength;
    private final int partSize;
    private final HeldBytes held;
    private final UniEmitter<? super StoredObject> result;
    private final MessageDigest sha256 = newSha256();
    private final List<CompletedPart> parts = new ArrayList<>();

    private Flow.Subscription source;
    private byte[] part;
    private int fill;
    private Buffer pending;
    private int pendingFrom;
    private long counted;
    private String uploadId;
    /** The S3 call in flight, completing after its own callback ran; null when none. */
    private CompletableFuture<?> call;
    private boolean sourceDone;
    private final String origin;
    private final Map<String, String> metadata;
    private boolean finished;

    MultipartTransfer(S3AsyncClient s3, String bucket, String key, String contentType, long announcedLength,
            int partSize, HeldBytes held, UniEmitter<? super StoredObject> result, String origin) {
        this.origin = origin;
        this.metadata = origin == null ? Map.of() : Map.of(StoredObject.ORIGIN, origin);
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.contentType = contentType;
        this.announcedLength = announcedLength;
        this.partSize = partSize;
        this.held = held;
        this.result = result;
    }

    @Override
    public synchronized void onSubscribe(Flow.Subscription subscription) {
        if (finished) {
            subscription.cancel();
            return;
        }
        source = subscription;
        subscription.request(1);
    }

    @Override
    public synchronized void onNext(Buffer buffer) {
        if (finished) {
            return;
        }
        counted += buffer.length();
        if (announcedLength >= 0 && counted > announcedLength) {
            fail(StorageFailures.lengthMismatch(key, announcedLength, counted, false));
            return;
        }
        pending = buffer;
        pendingFrom = 0;
        held.add(buffer.length());
        drain();
    }

    @Override
    public synchronized void onError(Throwable failure) {
        sourceDone = true;
        fail(StorageFailures.source(key, failure));
    }

    @Override
    public synchronized void onComplete() {
        sourceDone = true;
        // With a call in flight its callback carries on (a pending remainder, the last part); else finish now.
        if (!finished && call == null) {
            finish();
        }
    }

    /** The Uni was cancelled: stop reading and clean up; the emitter ignores the failure. */
    synchronized void cancel() {
        if (!finished) {
            fail(new ObjectStoreException(ObjectStoreException.Reason.SOURCE_FAILED, false,
                    "put of " + key + " cancelled", null));
        }
    }

    /** Moves the pending buffer into the part; uploads the part once full, else goes on. */
    private void drain() {
        if (part == null) {
            // Exactly the announced size when smaller than a part: any byte more fails the transfer anyway.
            int size = announcedLength >= 0 && announcedLength < partSize ? (int) announcedLength : partSize;
            part = new byte[size];
            held.add(size);
        }
        int n = Math.min(pending.length() - pendingFrom, partSize - fill);
        pending.getDelegate().getBytes(pendingFrom, pendingFrom + n, part, fill);
        sha256.update(part, fill, n);
        fill += n;
        pendingFrom += n;
        held.release(n);
        if (pendingFrom == pending.length()) {
            pending = null;
        }
        if (fill == partSize) {
            uploadPart();
        } else {
            proceed();
        }
    }

    /** After an item or a part: the rest of the pending buffer, else the end, else the next item. */
    private void proceed() {
        if (pending != null) {
            drain();
        } else if (sourceDone) {
            finish();
        } else {
            source.request(1);
        }
    }

    private void uploadPart() {
        if (uploadId == null) {
            call = s3.createMultipartUpload(r -> r.bucket(bucket).key(key).contentType(contentType)
                    .metadata(metadata))
                    .whenComplete((created, failure) -> created(created == null ? null : created.uploadId(), failure));
            return;
        }
        if (parts.size() == MAX_PARTS) {
            fail(new ObjectStoreException(ObjectStoreException.Reason.STORAGE_FAILED, false,
                    "body of " + key + " exceeds " + MAX_PARTS + " parts of " + partSize + " bytes", null));
            return;
        }
        int number = parts.size() + 1;
        // Unsafe = not copied: the part array is neither written nor reused until this call (and its retries) ended.
        AsyncRequestBody body = AsyncRequestBody.fromRemainingByteBufferUnsafe(ByteBuffer.wrap(part, 0, fill));
        call = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                        .contentLength((long) fill), body)
                .whenComplete((uploaded, failure) -> partUploaded(number, uploaded == null ? null : uploaded.eTag(),
                        failure));
    }

    private synchronized void created(String id, Throwable failure) {
        call = null;
        // Recorded even when finished meanwhile: the cleanup waiting on this call aborts it.
        uploadId = id;
        if (finished) {
            return;
        }
        if (failure != null) {
            fail(StorageFailures.storage("CreateMultipartUpload", bucket, key, failure));
            return;
        }
        uploadPart();
    }

    private synchronized void partUploaded(int number, String eTag, Throwable failure) {
        call = null;
        if (finished) {
            return;
        }
        if (failure != null) {
            fail(StorageFailures.storage("UploadPart " + number, bucket, key, failure));
            return;
        }
        parts.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
        fill = 0;
        proceed();
    }

    /** The body ended and no part is in flight. */
    private void finish() {
        if (announcedLength >= 0 && counted != announcedLength) {
            fail(StorageFailures.lengthMismatch(key, announcedLength, counted, true));
        } else if (uploadId == null) {
            putWhole();
        } else if (fill > 0) {
            uploadPart();
        } else {
            call = s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                            .multipartUpload(m -> m.parts(parts)))
                    .whenComplete((completed, failure) -> stored("CompleteMultipartUpload", failure));
        }
    }

    /** The whole body fit in one part: one PutObject, nothing to complete or abort. */
    private void putWhole() {
        AsyncRequestBody body = part == null
                ? AsyncRequestBody.fromBytes(new byte[0])
                : AsyncRequestBody.fromRemainingByteBufferUnsafe(ByteBuffer.wrap(part, 0, fill));
        call = s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType).metadata(metadata)
                .contentLength(counted), body)
                .whenComplete((put, failure) -> stored("PutObject", failure));
    }

    private synchronized void stored(String operation, Throwable failure) {
        call = null;
        if (finished) {
            return;
        }
        if (failure != null) {
            fail(StorageFailures.storage(operation, bucket, key, failure));
            return;
        }
        finished = true;
        releaseBuffers();
        result.complete(new StoredObject(bucket, key, counted, HexFormat.of().formatHex(sha256.digest()), contentType,
                origin));
    }

    /**
     * Ends the transfer: stops the body, waits for the call in flight (aborting under it could leave a part that lands
     * after the abort), aborts the multipart upload, then reports the failure, so a caller that sees it sees no
     * pending upload either (unless the abort itself failed, which is logged).
     */
    private void fail(ObjectStoreException error) {
        if (finished) {
            return;
        }
        finished = true;
        if (source != null && !sourceDone) {
            source.cancel();
        }
        releaseBuffers();
        CompletableFuture<?> inFlight = call == null ? CompletableFuture.completedFuture(null) : call;
        inFlight.handle((ignored, alsoIgnored) -> null)
                .thenCompose(ignored -> abort())
                .whenComplete((ignored, alsoIgnored) -> result.fail(error));
    }

    private synchronized CompletableFuture<Void> abort() {
        if (uploadId == null) {
            return CompletableFuture.completedFuture(null);
        }
        String id = uploadId;
        return s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(id))
                .handle((aborted, failure) -> {
                    if (failure != null) {
                        LOG.warnf("could not abort the multipart upload of %s (the bucket's lifecycle rule must): %s",
                                key, StorageFailures.storage("AbortMultipartUpload", bucket, key, failure).getMessage());
                    } else {
                        LOG.debugf("aborted the multipart upload of %s", key);
                    }
                    return null;
                });
    }

    private void releaseBuffers() {
        if (part != null) {
            held.release(part.length);
            part = null;
        }
        if (pending != null) {
            held.release(pending.length() - pendingFrom);
            pending = null;
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
