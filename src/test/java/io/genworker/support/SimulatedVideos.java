package io.genworker.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The videos the simulator serves at the URLs its finished generations name: real bytes, deterministic (a pattern
 * seeded by the job's prompt, which carries the job id in tests, so a test computes the expected SHA-256 with
 * {@link #sha256(long, long)}), generated chunk by chunk as the connection drains, so a 50 MB video is never held
 * in memory. Served as video/mp4 with a Content-Length, the way a CDN or object store serves a file.
 * <p>
 * Reproduces what a download meets: expiry (after the retention, Segmind's URLs answer 404 and the AI/ML API's
 * signed-URL style answers 403, as an object store does for an expired signature), slow delivery (a pause between
 * chunks) and connections cut mid-body (the first N attempts of a video stop after some bytes).
 * <p>
 * No browser decodes those bytes. For a video player to play, a video can be the small real clip instead
 * ({@link SimulatorClip}, video/webm): for every job once {@link #playable(boolean)} is on, or for a job whose prompt
 * carries {@link #PLAYABLE_MARKER}. Whether a video is the clip is fixed when it is published, and its size and
 * SHA-256 are then the clip's. The clip's URLs end in .webm and its downloads accept a single byte range, as a CDN
 * serving a file to a browser does (seeking asks for one).
 */
public final class SimulatedVideos {

    public static final String CONTENT_TYPE = "video/mp4";
    public static final String PLAYABLE_CONTENT_TYPE = SimulatorClip.CONTENT_TYPE;
    /** A prompt carrying this is served the playable clip whether or not every video is. */
    public static final String PLAYABLE_MARKER = "[sim:playable]";
    /** Segmind documents "Results are retained for 1 hour, then expire"; the AI/ML API documents none. */
    public static final Duration DOCUMENTED_RETENTION = Duration.ofHours(1);
    private static final long DEFAULT_SIZE = 256 * 1024;
    private static final int CHUNK = 64 * 1024;
    /** An ISO BMFF "ftyp" box, so the file starts like an MP4 (isom, mp42 brands). */
    private static final byte[] FTYP = HexFormat.of().parseHex("00000018667479706d703432000000006973" + "6f6d6d703432");

    /** One video as served: where, how big, its checksum, whether it is the playable clip. */
    public record Video(String key, String provider, String prompt, long seed, long size, Instant publishedAt,
            boolean playable) {

        public String sha256() {
            return playable ? SimulatorClip.get().sha256() : SimulatedVideos.sha256(seed, size);
        }

        public String contentType() {
            return playable ? SimulatorClip.CONTENT_TYPE : CONTENT_TYPE;
        }

        /** The file name extension its URL ends in, without the dot. */
        public String extension() {
            return playable ? SimulatorClip.EXTENSION : "mp4";
        }

        byte[] bytes(long offset, int length) {
            return playable ? SimulatorClip.get().bytes(offset, length) : SimulatedVideos.bytes(seed, offset, length);
        }
    }

    /** A scripted way for a video's next downloads to go wrong. */
    private record Trouble(String promptPart, AtomicInteger cutsLeft, long cutAfterBytes, Duration pause) {
    }

    private final Vertx vertx;
    private final Supplier<String> baseUrl;
    private final Map<String, Video> byKey = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();
    private final List<Trouble> troubles = new CopyOnWriteArrayList<>();
    private final Map<String, String> hostileUrls = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile long defaultSize = DEFAULT_SIZE;
    private volatile Duration retention = DOCUMENTED_RETENTION;
    private volatile boolean served;
    private volatile boolean playable;

    SimulatedVideos(Vertx vertx, Supplier<String> baseUrl) {
        this.vertx = vertx;
        this.baseUrl = baseUrl;
    }

    /** The finished generation of the job whose prompt contains this text names this URL instead of its video. */
    void hostileUrl(String promptPart, String url) {
        hostileUrls.put(promptPart, url);
    }

    // ---- content ------------------------------------------------------------------------------------------------

    /** The seed of the video of a job whose prompt is this. */
    public static long seedOf(String prompt) {
        byte[] digest = digest().digest(prompt.getBytes(StandardCharsets.UTF_8));
        long seed = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            seed = (seed << 8) | (digest[i] & 0xff);
        }
        return seed;
    }

    /** Bytes [offset, offset + length) of the video of this seed. */
    public static byte[] bytes(long seed, long offset, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            long position = offset + i;
            if (position < FTYP.length) {
                out[i] = FTYP[(int) position];
            } else {
                // splitmix64 of the 8-byte word the position falls in: any range is computed without the rest
                out[i] = (byte) (mix(seed + (position >>> 3)) >>> ((position & 7) * 8));
            }
        }
        return out;
    }

    /** The SHA-256 (hex) of the first size bytes of the video of this seed, computed in chunks. */
    public static String sha256(long seed, long size) {
        MessageDigest sha = digest();
        for (long offset = 0; offset < size; offset += CHUNK) {
            sha.update(bytes(seed, offset, (int) Math.min(CHUNK, size - offset)));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static long mix(long z) {
        z = (z + 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- scenario controls ----------------------------------------------------------------------------------------

    /** From now on finished generations name the simulator's own video URLs (and announce the real size). */
    void serve() {
        this.served = true;
    }

    boolean served() {
        return served;
    }

    /** From now on (for videos published from now on) every video is the playable clip, or none but marked ones. */
    void playable(boolean all) {
        this.playable = all;
    }

    void defaultSize(long bytes) {
        this.defaultSize = bytes;
    }

    /** The size of the video of the job whose prompt contains this text. */
    void size(String promptPart, long bytes) {
        sizes.put(promptPart, bytes);
    }

    /** How long a video stays downloadable after its URL was first handed out. */
    void retention(Duration retention) {
        this.retention = retention;
    }

    /** The next attempts at the video of this job are cut after this many bytes of the body. */
    void cut(String promptPart, int attempts, long afterBytes) {
        troubles.add(new Trouble(promptPart, new AtomicInteger(attempts), afterBytes, Duration.ZERO));
    }

    /** Every download of the video of this job pauses this long between 64 KiB chunks. */
    void slow(String promptPart, Duration pauseBetweenChunks) {
        troubles.add(new Trouble(promptPart, new AtomicInteger(0), -1, pauseBetweenChunks));
    }

    // ---- what the providers hand out ------------------------------------------------------------------------------

    /**
     * The video of a finished generation, published the first time its URL is handed out. The URL keeps the shape
     * of the provider's own (Segmind's /sim/{id}.mp4; the AI/ML API's percent-encoded path, or a signed URL whose
     * query carries a fake signature that must never show up in a log).
     */
    Video publish(String id, String provider, String prompt) {
        // AI/ML API ids carry ':' and '/': the URL names a key of safe characters only
        String key = id.replaceAll("[^A-Za-z0-9-]", "-");
        return byKey.computeIfAbsent(key, k -> {
            boolean clip = playable || prompt.contains(PLAYABLE_MARKER);
            return new Video(key, provider, prompt, seedOf(prompt), clip ? SimulatorClip.get().size()
                    : sizeFor(prompt), Instant.now(), clip);
        });
    }

    String urlOf(Video video, int style) {
        for (Map.Entry<String, String> hostile : hostileUrls.entrySet()) {
            if (video.prompt().contains(hostile.getKey())) {
                return hostile.getValue();
            }
        }
        String base = baseUrl.get() + "/videos/" + video.provider();
        String extension = "." + video.extension();
        if ("segmind".equals(video.provider())) {
            return base + "/sim/" + video.key() + extension;
        }
        return style == 0
                ? base + "/eagle/files/sim/" + video.key() + "_output" + extension
                        + "?X-Amz-Expires=3600&X-Amz-Signature=" + ProviderSimulator.VIDEO_SIGNATURE
                : base + "/panda/pixverse%2Fmp4%2Fmedia%2Fweb%2Fori%2F" + video.key() + "_seed1592035041" + extension;
    }

    private long sizeFor(String prompt) {
        return sizes.entrySet().stream().filter(e -> prompt.contains(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse(defaultSize);
    }

    Optional<Video> videoOf(String promptPart) {
        return byKey.values().stream().filter(v -> v.prompt().contains(promptPart)).findFirst();
    }

    /** Download attempts that reached the video of this job (expired ones included). */
    int attemptsOf(String promptPart) {
        return videoOf(promptPart).map(v -> attempts.getOrDefault(v.key(), new AtomicInteger()).get()).orElse(0);
    }

    List<String> requests() {
        return requests;
    }

    // ---- serving ----------------------------------------------------------------------------------------------------

    /**
     * GET /videos/{provider}/.../{key}[_suffix].mp4 (or .webm, the playable clip), also after a percent-encoded
     * "%2F" (the AI/ML API's shape).
     */
    void handle(HttpServerRequest request) {
        String path = request.path();
        requests.add(request.method() + " " + path);
        String last = path.substring(path.lastIndexOf('/') + 1);
        int encodedSlash = last.lastIndexOf("%2F");
        if (encodedSlash >= 0) {
            last = last.substring(encodedSlash + 3);
        }
        Video video = byKey.get(last.replaceFirst("(_.*)?\\.(mp4|webm)$", ""));
        if (video == null) {
            request.response().setStatusCode(404).end();
            return;
        }
        attempts.computeIfAbsent(video.key(), key -> new AtomicInteger()).incrementAndGet();
        if (Duration.between(video.publishedAt(), Instant.now()).compareTo(retention) > 0) {
            expired(request.response(), video);
            return;
        }
        long cutAfter = -1;
        Duration pause = Duration.ZERO;
        for (Trouble trouble : troubles) {
            if (video.prompt().contains(trouble.promptPart())) {
                if (trouble.cutAfterBytes() >= 0 && trouble.cutsLeft().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    cutAfter = trouble.cutAfterBytes();
                }
                pause = pause.plus(trouble.pause());
            }
        }
        HttpServerResponse response = request.response().putHeader("Content-Type", video.contentType());
        long[] range = video.playable() ? range(request.getHeader("Range"), video.size()) : null;
        if (range == null) {
            response.setStatusCode(200).putHeader("Accept-Ranges", video.playable() ? "bytes" : "none")
                    .putHeader("Content-Length", Long.toString(video.size()));
            write(request, response, video, 0, video.size(), cutAfter, pause);
        } else if (range.length == 0) {
            response.setStatusCode(416).putHeader("Content-Range", "bytes */" + video.size()).end();
        } else {
            response.setStatusCode(206).putHeader("Accept-Ranges", "bytes")
                    .putHeader("Content-Range", "bytes " + range[0] + "-" + (range[1] - 1) + "/" + video.size())
                    .putHeader("Content-Length", Long.toString(range[1] - range[0]));
            write(request, response, video, range[0], range[1], cutAfter, pause);
        }
    }

    /**
     * [from, to) of a single "bytes=a-b", "bytes=a-" or "bytes=-n" range; null without one (or with several, which
     * are answered whole); empty when it lies past the end.
     */
    static long[] range(String header, long size) {
        if (header == null || !header.matches("bytes=(\\d+-\\d*|-\\d+)")) {
            return null;
        }
        String[] ends = header.substring("bytes=".length()).split("-", -1);
        if (ends[0].isEmpty()) {
            long suffix = Math.min(Long.parseLong(ends[1]), size);
            return suffix == 0 ? new long[0] : new long[] {size - suffix, size};
        }
        long from = Long.parseLong(ends[0]);
        long to = ends[1].isEmpty() ? size : Math.min(Long.parseLong(ends[1]) + 1, size);
        return from >= size || from >= to ? new long[0] : new long[] {from, to};
    }

    private static void expired(HttpServerResponse response, Video video) {
        if ("segmind".equals(video.provider())) {
            response.setStatusCode(404).putHeader("Content-Type", "application/json")
                    .end("{\"error\":\"Request not found or expired\"}");
        } else {
            response.setStatusCode(403).putHeader("Content-Type", "application/xml")
                    .end("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                            + "<Message>Request has expired</Message></Error>");
        }
    }

    /**
     * Writes [offset, end) one chunk at a time and only while the connection drains: memory stays one chunk. A cut
     * counts from the start of the file.
     */
    private void write(HttpServerRequest request, HttpServerResponse response, Video video, long offset, long end,
            long cutAfter, Duration pause) {
        if (response.closed()) {
            return;
        }
        if (offset >= end) {
            response.end();
            return;
        }
        long limit = cutAfter >= 0 ? Math.min(cutAfter, end) : end;
        if (offset >= limit) {
            // the body stops here with the connection: what a dropped download looks like to the client
            request.connection().close();
            return;
        }
        int length = (int) Math.min(CHUNK, limit - offset);
        response.write(Buffer.buffer(video.bytes(offset, length)));
        long next = offset + length;
        Runnable more = () -> write(request, response, video, next, end, cutAfter, pause);
        if (!pause.isZero()) {
            vertx.setTimer(pause.toMillis(), id -> afterDrain(response, more));
        } else {
            afterDrain(response, more);
        }
    }

    private void afterDrain(HttpServerResponse response, Runnable more) {
        if (response.writeQueueFull()) {
            // cleared when it fires: a drain during a later pause must not replay an earlier chunk
            response.drainHandler(ignored -> {
                response.drainHandler(null);
                more.run();
            });
        } else {
            // through the event loop rather than recursion: a fast client must not grow the stack
            vertx.runOnContext(ignored -> more.run());
        }
    }
}
