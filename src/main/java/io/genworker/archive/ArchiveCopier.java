package io.genworker.archive;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.genworker.archive.fetch.VideoSource;
import io.genworker.archive.fetch.VideoStream;
import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.job.Video;
import io.genworker.job.VideoArchive;
import io.genworker.metrics.ArchiveMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Copies a provider's video into the archive bucket, streamed: the download ({@link VideoSource}, which refuses
 * hostile URLs) feeds the multipart upload ({@link ObjectStore}) part by part, at most `max-transfers` at once. A
 * copy already in the bucket (a previous owner completed it, then crashed before its result) is found by its key
 * and not made again.
 */
@ApplicationScoped
public class ArchiveCopier implements Archiver {

    private static final Logger LOG = Logger.getLogger(ArchiveCopier.class);
    static final String DEFAULT_CONTENT_TYPE = "video/mp4";

    private final WorkerConfig.Archive config;
    private final VideoSource source;
    private final ObjectStore store;
    private final ArchiveMetrics metrics;
    private final Clock clock;
    private final TransferSlots slots;

    @Inject
    public ArchiveCopier(WorkerConfig config, VideoSource source, ObjectStore store, ArchiveMetrics metrics,
            Clock clock) {
        this.config = config.archive();
        this.source = source;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.slots = new TransferSlots(this.config.maxTransfers());
        metrics.transferGauges(slots::running, slots::waiting);
    }

    @Override
    public boolean enabled() {
        return config.enabled();
    }

    @Override
    public Uni<VideoArchive> copy(JobRecord job) {
        String key = keyOf(job);
        // Subscribed on a worker thread: the SDK may resolve or refresh credentials (STS, instance metadata)
        // blocking on the calling thread, which must not be the tracker's event loop.
        return slots.run(() -> store.existing(key)
                .onItem().transformToUni(found -> found != null && fits(found, job)
                        ? reused(job, found) : copyNow(job, key))
                .onFailure().transform(ArchiveFailure::of)
                .onFailure().invoke(e -> metrics.copyFailed(job.provider(),
                        ((ArchiveFailure) e).retryable() ? "retryable" : "permanent")))
                .map(this::archiveOf)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    @Override
    public Uni<VideoArchive> findCopy(JobRecord job) {
        return store.existing(keyOf(job))
                .map(found -> found != null && fits(found, job) ? archiveOf(found) : null)
                .onFailure().recoverWithNull()
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private String keyOf(JobRecord job) {
        return ObjectKeys.keyFor(config.keyPrefix(), job.jobId(), fileName(job.video()));
    }

    /** What the result says of a stored object: its URL made now (a presigned one lasts from its signing). */
    private VideoArchive archiveOf(StoredObject stored) {
        return new VideoArchive(store.bucket(), stored.key(), store.urlFor(stored.key()), stored.sha256(),
                stored.size());
    }

    /** An earlier owner completed the copy, then died before its result: taken as it is. */
    private Uni<StoredObject> reused(JobRecord job, StoredObject found) {
        LOG.infof("job %s: its copy %s is already in the bucket", job.jobId(), found.key());
        metrics.copied(job.provider(), "reused", found.size(), Duration.ZERO, age(job));
        return Uni.createFrom().item(found);
    }

    private Uni<StoredObject> copyNow(JobRecord job, String key) {
        Instant started = clock.instant();
        return store.abortPending(key)
                .onItem().transformToUni(aborted -> transfer(job, key))
                .invoke(stored -> metrics.copied(job.provider(), "stored", stored.size(),
                        Duration.between(started, clock.instant()), age(job)));
    }

    private Uni<StoredObject> transfer(JobRecord job, String key) {
        Video video = job.video();
        return source.open(video.url(), job.provider()).onItem().transformToUni(stream -> {
            if (video.fileSize() != null && stream.announcedLength() >= 0
                    && video.fileSize() != stream.announcedLength()) {
                stream.body().subscribe().with(b -> { }, e -> { }).cancel();
                return Uni.createFrom().failure(new ArchiveFailure(false, "the provider announced "
                        + video.fileSize() + " bytes, its download " + stream.announcedLength()));
            }
            long announced = video.fileSize() != null ? video.fileSize() : stream.announcedLength();
            return store.put(key, contentType(video, stream), announced, stream.body(), origin(job));
        });
    }

    /**
     * An object left by an earlier copy is this job's video when it came from the same generation (its metadata
     * says so; a job id used again after the dedup window is another job) and has the announced size, if any.
     */
    private static boolean fits(StoredObject found, JobRecord job) {
        Video video = job.video();
        if (found.origin() != null && !found.origin().equals(origin(job))) {
            LOG.warnf("object %s holds the video of another generation of job id %s: copying again", found.key(),
                    job.jobId());
            return false;
        }
        boolean fits = video.fileSize() == null || video.fileSize() == found.size();
        if (!fits) {
            LOG.warnf("object %s holds %d bytes, the provider announced %d: copying again", found.key(), found.size(),
                    video.fileSize());
        }
        return fits;
    }

    /** The generation a copy comes from, as its object's metadata keeps it: ASCII, as S3 metadata must be. */
    static String origin(JobRecord job) {
        String id = job.provider() + ":" + (job.providerJobId() == null ? "" : job.providerJobId());
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    /**
     * The provider's file name; else the URL path's last segment (Segmind names none), else ObjectKeys' default.
     * Escaped by ObjectKeys either way.
     */
    static String fileName(Video video) {
        if (video.fileName() != null && !video.fileName().isBlank()) {
            return video.fileName();
        }
        try {
            String path = URI.create(video.url()).getPath();
            return path == null ? null : path.substring(path.lastIndexOf('/') + 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String contentType(Video video, VideoStream stream) {
        if (video.contentType() != null && !video.contentType().isBlank()) {
            return video.contentType();
        }
        return stream.contentType() != null ? stream.contentType() : DEFAULT_CONTENT_TYPE;
    }

    /** How old the provider's copy was when this one was made (finishedAt: when the generation was seen finished). */
    private Duration age(JobRecord job) {
        return job.finishedAt() == null ? Duration.ZERO : Duration.between(job.finishedAt(), clock.instant());
    }
}
