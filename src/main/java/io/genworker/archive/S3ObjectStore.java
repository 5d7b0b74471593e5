package io.genworker.archive;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * ObjectStore on the AWS SDK v2 async client over Netty: every transfer is a chain of futures, no thread waits on
 * one. Works with AWS and with S3-compatible servers (endpoint override, path-style).
 *
 * <p>Results arrive on the SDK's threads (its future-completion pool), not on a Vert.x context: a caller that needs
 * its event loop back switches with emitOn.
 */
public final class S3ObjectStore implements ObjectStore {

    private static final Logger LOG = Logger.getLogger(S3ObjectStore.class);
    static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    private final S3Settings settings;
    private final S3AsyncClient s3;
    private final S3Presigner presigner;
    private final HeldBytes held = new HeldBytes();

    /** Credentials from the SDK's default chain (environment, system properties, profile, instance role). */
    public S3ObjectStore(S3Settings settings) {
        this(settings, DefaultCredentialsProvider.builder().build());
    }

    public S3ObjectStore(S3Settings settings, AwsCredentialsProvider credentials) {
        this.settings = settings;
        Region region = Region.of(settings.region());
        S3AsyncClientBuilder client = S3AsyncClient.builder()
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                // Since 2.30 the SDK adds CRC32 checksums to every upload (aws-chunked trailers) and validates them
                // on download; S3-compatible servers (s3proxy, older MinIO, Ceph) mishandle both. Only where S3
                // requires one (never for our calls) is a checksum sent.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // A stalled storage call fails (and the copy is tried again) instead of holding its transfer until
                // the copy's time bound: an 8 MiB part takes seconds on a healthy link.
                .overrideConfiguration(c -> c.apiCallAttemptTimeout(Duration.ofMinutes(2))
                        .apiCallTimeout(Duration.ofMinutes(5)))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder());
        settings.endpointOverride().ifPresent(client::endpointOverride);
        this.s3 = client.build();
        S3Presigner.Builder signer = S3Presigner.builder()
                .region(region)
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
        settings.endpointOverride().ifPresent(signer::endpointOverride);
        this.presigner = signer.build();
    }

    @Override
    public Uni<StoredObject> put(String key, String contentType, long announcedLength, Multi<Buffer> body,
            String origin) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("key is required");
        }
        // What S3 would serve an object stored without one; StoredObject then says what readers get.
        String type = contentType == null || contentType.isBlank() ? DEFAULT_CONTENT_TYPE : contentType;
        return Uni.createFrom().emitter(emitter -> {
            MultipartTransfer transfer = new MultipartTransfer(s3, settings.bucket(), key, type,
                    announcedLength, settings.partSizeBytes(), held, emitter, origin);
            // Runs on completion too, when cancel() finds the transfer finished and does nothing.
            emitter.onTermination(transfer::cancel);
            body.subscribe().withSubscriber(transfer);
        });
    }

    @Override
    public Uni<StoredObject> existing(String key) {
        String bucket = settings.bucket();
        // HEAD answers 404 without a body, so a missing bucket also reads as "absent" here; check() tells them apart.
        return Uni.createFrom().completionStage(() -> s3.headObject(r -> r.bucket(bucket).key(key)))
                .onItem().transformToUni(head -> Uni.createFrom().completionStage(() -> readBack(key, head)))
                // Also when the object went between HEAD and GET: absent is then the truth.
                .onFailure(StorageFailures::isNotFound).recoverWithNull()
                .onFailure().transform(failure -> StorageFailures.storage("existing", bucket, key, failure));
    }

    /** Hashes the object chunk by chunk as the SDK hands them over, one at a time (its sequential subscriber). */
    private CompletionStage<StoredObject> readBack(String key, HeadObjectResponse head) {
        String bucket = settings.bucket();
        MessageDigest sha256 = newSha256();
        AtomicLong size = new AtomicLong();
        return s3.getObject(r -> r.bucket(bucket).key(key), AsyncResponseTransformer.toPublisher())
                .thenCompose(response -> response.subscribe((ByteBuffer chunk) -> {
                    size.addAndGet(chunk.remaining());
                    sha256.update(chunk);
                }).thenApply(done -> {
                    Long headLength = head.contentLength();
                    if (headLength != null && headLength != size.get()) {
                        throw new ObjectStoreException(ObjectStoreException.Reason.CHANGED_WHILE_READING, true,
                                key + " was " + headLength + " bytes at HEAD but " + size.get() + " when read", null);
                    }
                    String contentType = response.response().contentType();
                    return new StoredObject(bucket, key, size.get(), HexFormat.of().formatHex(sha256.digest()),
                            contentType == null ? head.contentType() : contentType,
                            head.metadata() == null ? null : head.metadata().get(StoredObject.ORIGIN));
                }));
    }

    @Override
    public String urlFor(String key) {
        if (settings.publicBaseUrl().isPresent()) {
            return settings.publicBaseUrl().get() + "/" + UrlPaths.escape(key);
        }
        return presigner.presignGetObject(r -> r.signatureDuration(settings.presignLifetimeOrDefault())
                        .getObjectRequest(get -> get.bucket(settings.bucket()).key(key)))
                .url().toString();
    }

    @Override
    public Uni<Void> check() {
        String bucket = settings.bucket();
        return Uni.createFrom().completionStage(() -> s3.headBucket(r -> r.bucket(bucket)))
                .replaceWithVoid()
                .onFailure().transform(failure -> StorageFailures.storage("HeadBucket", bucket, null, failure));
    }

    /**
     * Best effort: a worker killed mid-copy leaves its multipart upload behind, unseen by readers but billed by the
     * storage. The next owner aborts those of the key before copying again; a server that cannot list uploads is
     * left to the bucket's lifecycle rule (AbortIncompleteMultipartUpload).
     */
    @Override
    public Uni<Integer> abortPending(String key) {
        String bucket = settings.bucket();
        return Uni.createFrom().completionStage(() -> s3.listMultipartUploads(r -> r.bucket(bucket).prefix(key)))
                .onItem().transformToUni(listing -> {
                    List<Uni<Void>> aborts = listing.uploads().stream().filter(upload -> key.equals(upload.key()))
                            .map(upload -> Uni.createFrom().completionStage(() -> s3.abortMultipartUpload(
                                    r -> r.bucket(bucket).key(key).uploadId(upload.uploadId()))).replaceWithVoid())
                            .toList();
                    return aborts.isEmpty() ? Uni.createFrom().item(0)
                            : Uni.join().all(aborts).andCollectFailures().replaceWith(aborts.size());
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("could not abort the pending uploads of %s (left to the bucket's lifecycle rule): %s",
                            key, StorageFailures.storage("ListMultipartUploads", bucket, key, failure).getMessage());
                    return 0;
                });
    }

    @Override
    public String bucket() {
        return settings.bucket();
    }

    /** Body bytes the store holds now, over all transfers. */
    public long bytesHeld() {
        return held.now();
    }

    /** The most body bytes the store ever held at once: one part (plus one buffer) per concurrent transfer. */
    public long peakBytesHeld() {
        return held.peak();
    }

    /** For tests (listing pending uploads) and callers needing a call this interface does not offer. */
    S3AsyncClient client() {
        return s3;
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
