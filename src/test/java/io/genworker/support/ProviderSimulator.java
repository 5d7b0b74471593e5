package io.genworker.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * Both providers' APIs on one port, as their docs show them, quirks included: the AI/ML API's video endpoint
 * ({@link SimulatorAimlApi}) and Segmind's asynchronous v2 API ({@link SimulatorSegmind}). Prompts may carry
 * markers: "[sim:error]" ends in a failed generation, "[sim:blocked]" in a moderation refusal, "[sim:forever]" never
 * finishes ({@link SimulatorGenerations}); with videos served, "[sim:playable]" makes the job's video a clip a browser
 * plays ({@link SimulatedVideos}).
 * <p>
 * Faults are scripted per operation ({@link SimulatorFaultScript}): on a queue any job may take, or targeted at one
 * job (by a part of its prompt, the job id in tests) so that concurrent jobs do not take each other's faults; an
 * outage answers 503 to every call until it ends. Every call that reaches the simulator is logged with its arrival
 * time and the fault it got ({@link SimulatorCallLog}), so tests can bound retries, check that a job received its
 * faults and measure the waits between calls. A decoy server on another port ({@link SimulatorDecoy}) can be named
 * as Segmind's status_url/response_url: a worker that follows foreign URLs would show up in its hits.
 */
public final class ProviderSimulator implements AutoCloseable {

    /** Fake keys, recognisable in any output: a test scans everything the worker wrote for them. */
    public static final String AIMLAPI_KEY = "sk-FAKE-SECRET-aiml-0123456789";
    public static final String SEGMIND_KEY = "SG_FAKE-SECRET-segmind-0123456789";
    /** The fake signature in the AI/ML API's signed-style video URLs: it must never show up in a log or event. */
    public static final String VIDEO_SIGNATURE = "FAKE-SECRET-signature-0123456789";
    /** The operations calls are logged and faults scripted under. */
    public static final String SUBMIT = "submit";
    public static final String POLL = "poll";
    private static final String VIDEOS_PREFIX = "/videos/";
    /** What the rate limits let through and refused, for a simulator running as a service. */
    public static final String RATE_LIMITS_PATH = "/sim/rate-limits";

    /**
     * An answer forced on the next call of one operation, instead of the normal one. A delay alone answers normally
     * but late; with {@code lateAnswer} the call is handled at once (a submission is accepted) and only the answer
     * is late, like a provider that accepted a job and then stalled.
     */
    public record Fault(int status, String retryAfter, String body, Duration delay, boolean reset,
            boolean lateAnswer) {

        public Fault(int status, String retryAfter, String body, Duration delay, boolean reset) {
            this(status, retryAfter, body, delay, reset, false);
        }

        public static Fault status(int status) {
            return new Fault(status, null, "{\"error\":{\"name\":\"SimulatedError\",\"message\":\"HTTP " + status
                    + "\"}}", Duration.ZERO, false);
        }

        public static Fault rateLimited(String retryAfter) {
            return new Fault(429, retryAfter, "{\"message\":\"Too many requests\"}", Duration.ZERO, false);
        }

        public static Fault body(int status, String body) {
            return new Fault(status, null, body, Duration.ZERO, false);
        }

        public static Fault slow(Duration delay) {
            return new Fault(0, null, null, delay, false);
        }

        public static Fault connectionReset() {
            return new Fault(0, null, null, Duration.ZERO, true);
        }

        /** The call is handled (a submission accepted, charged) at once, but the answer comes after the delay. */
        public static Fault acceptedThenLate(Duration delay) {
            return new Fault(0, null, null, delay, false, true);
        }

        /** A 200 whose JSON stops half-way. */
        public static Fault truncatedJson() {
            return body(200, "{\"id\":\"3f1e6c9a-8b2d-4e5f\",\"status\":\"gener");
        }

        /** A 200 that is not JSON at all (an HTML error page from a proxy). */
        public static Fault malformedJson() {
            return body(200, "<html><body>502 Bad Gateway</body></html>");
        }

        /** The AI/ML API reporting a failed generation with an error message of this many characters. */
        public static Fault failureOfChars(int chars) {
            return body(200, new JsonObject().put("id", "x").put("status", "error").put("error", new JsonObject()
                    .put("name", "GenerationError").put("message", "e".repeat(chars))).encode());
        }

        /** A 200 with a status no provider documents. */
        public static Fault undocumentedStatus() {
            return body(200, "{\"id\":\"x\",\"request_id\":\"x\",\"status\":\"hibernating\"}");
        }
    }

    /**
     * One call that reached the simulator: operation ("submit" or "poll"), the prompt of its job, the API key it
     * carried (workers given distinct keys can be told apart by it), when it arrived, and the fault that answered
     * it instead of the provider (null when the provider answered).
     */
    public record Call(String operation, String prompt, String apiKey, Instant at, Fault fault) {

        public boolean faulted() {
            return fault != null;
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final SimulatorFaultScript faults = new SimulatorFaultScript();
    private final SimulatorCallLog log = new SimulatorCallLog();
    private final SimulatorExchange exchange;
    private final SimulatorAimlApi aimlapi;
    private final SimulatorSegmind segmind;
    private final SimulatedVideos videos;
    private volatile SimulatorDecoy decoy;
    private volatile Duration generationTime = Duration.ofSeconds(1);

    private ProviderSimulator() {
        this.vertx = Vertx.vertx();
        this.exchange = new SimulatorExchange(vertx, faults, log);
        this.videos = new SimulatedVideos(vertx, this::baseUrl);
        this.aimlapi = new SimulatorAimlApi(exchange, () -> generationTime, AIMLAPI_KEY, videos);
        this.segmind = new SimulatorSegmind(exchange, () -> generationTime, this::segmindFollowUpsAt, SEGMIND_KEY,
                videos);
        this.server = vertx.createHttpServer().requestHandler(this::route);
    }

    /** Listens on a free port of the loopback interface. */
    public static ProviderSimulator start() {
        return start(0);
    }

    public static ProviderSimulator start(int port) {
        return start("127.0.0.1", port);
    }

    /** Listens on the given interface: "0.0.0.0" when it runs as a service in a container. */
    public static ProviderSimulator start(String host, int port) {
        ProviderSimulator simulator = new ProviderSimulator();
        try {
            simulator.server.listen(port, host).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the provider simulator", e);
        }
        return simulator;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    private void route(HttpServerRequest request) {
        String path = request.path();
        if (SimulatorAimlApi.PATH.equals(path)) {
            aimlapi.handle(request);
        } else if (path.startsWith(SimulatorSegmind.PATH_PREFIX)) {
            segmind.handle(request, path);
        } else if (path.startsWith(VIDEOS_PREFIX) && "GET".equals(request.method().name())) {
            videos.handle(request);
        } else if (RATE_LIMITS_PATH.equals(path) && "GET".equals(request.method().name())) {
            exchange.reply(request, 200, new JsonObject()
                    .put("aimlapi", counts(aimlapi.rateLimit())).put("segmind", counts(segmind.rateLimit())).encode());
        } else {
            exchange.reply(request, 404, "{\"message\":\"Not found\"}");
        }
    }

    // ---- scenario controls -------------------------------------------------------------------------------------

    public ProviderSimulator generationTime(Duration time) {
        this.generationTime = time;
        return this;
    }

    /**
     * Every submission, of either provider, is accepted (and its generation starts) as it arrives, but answered
     * only this much later: a provider slow to answer, so that a worker has submissions in flight for seconds. A
     * scripted fault still answers the call it takes. Zero (the default) answers at once.
     */
    public ProviderSimulator submitAnswerDelay(Duration delay) {
        exchange.submitAnswerDelay(delay);
        return this;
    }

    /** The AI/ML API accepts this key alone from now on. */
    public ProviderSimulator acceptKey(String key) {
        aimlapi.acceptOnly(key);
        return this;
    }

    /** The AI/ML API accepts this key too: one account, a key per worker. */
    public ProviderSimulator alsoAcceptKey(String key) {
        aimlapi.alsoAccept(key);
        return this;
    }

    public ProviderSimulator acceptSegmindKey(String key) {
        segmind.accept(key);
        return this;
    }

    /** How long Segmind keeps a finished request's result before answering 404 (one hour, as documented). */
    public ProviderSimulator segmindRetention(Duration retention) {
        segmind.retention(retention);
        return this;
    }

    /**
     * Each provider's account takes at most this many calls (submits and polls together) over any sliding second,
     * from all callers together, and refuses the rest with 429 and Retry-After ({@link SimulatorRateLimit}); 0
     * turns the limits off (the default).
     */
    public ProviderSimulator accountRateLimit(int callsPerSecond) {
        aimlapi.rateLimit().perSecond(callsPerSecond);
        segmind.rateLimit().perSecond(callsPerSecond);
        return this;
    }

    /** Faults for the next submissions of the job whose prompt contains this text (its id, in tests). */
    public void failSubmitsOf(String promptPart, Fault... faults) {
        this.faults.failCallsOf(SUBMIT, promptPart, faults);
    }

    /** Faults for the next status or result reads of the job whose prompt contains this text. */
    public void failPollsOf(String promptPart, Fault... faults) {
        this.faults.failCallsOf(POLL, promptPart, faults);
    }

    // ---- videos ---------------------------------------------------------------------------------------------------

    /**
     * From now on finished generations name the simulator's own video URLs ({@code /videos/...}, loopback, plain
     * http: a worker fetching them needs the loopback exemption), which serve real bytes ({@link SimulatedVideos}),
     * and the AI/ML API's file_size is the real size. Off (the default), they name the providers' hosts as before.
     */
    public ProviderSimulator serveVideos() {
        videos.serve();
        return this;
    }

    /**
     * On, every video published from now on is a small clip a browser plays (2 s of VP9 in WebM, served as
     * video/webm with its real size and SHA-256) instead of patterned video/mp4 bytes: for a console's video player.
     * Off (the default), only jobs whose prompt carries {@link SimulatedVideos#PLAYABLE_MARKER} get it. Takes effect
     * with {@link #serveVideos()}.
     */
    public ProviderSimulator servePlayableClips(boolean all) {
        videos.playable(all);
        return this;
    }

    /** The size of every video not given one by {@link #videoSize}: 256 KiB unless set. */
    public ProviderSimulator defaultVideoSize(long bytes) {
        videos.defaultSize(bytes);
        return this;
    }

    /** The size of the video of the job whose prompt contains this text (its id, in tests). */
    public ProviderSimulator videoSize(String promptPart, long bytes) {
        videos.size(promptPart, bytes);
        return this;
    }

    /**
     * How long a video stays downloadable after its URL was first handed out (one hour, Segmind's documented
     * retention): then Segmind's URLs answer 404 and the AI/ML API's signed-style URLs 403.
     */
    public ProviderSimulator videoRetention(Duration retention) {
        videos.retention(retention);
        return this;
    }

    /** The next attempts at the video of this job stop after this many bytes of the body, closing the connection. */
    public ProviderSimulator cutVideoDownloads(String promptPart, int attempts, long afterBytes) {
        videos.cut(promptPart, attempts, afterBytes);
        return this;
    }

    /**
     * The finished generation of this job names this URL as its video (with videos served): what a compromised or
     * buggy provider could answer, for the worker's URL checks to refuse.
     */
    public ProviderSimulator hostileVideoUrl(String promptPart, String url) {
        videos.hostileUrl(promptPart, url);
        return this;
    }

    /** Every download of the video of this job pauses this long between 64 KiB chunks. */
    public ProviderSimulator slowVideo(String promptPart, Duration pauseBetweenChunks) {
        videos.slow(promptPart, pauseBetweenChunks);
        return this;
    }

    /**
     * Publishes a video outside any generation, as a provider of this name ("segmind" or "aimlapi") would, and
     * returns its URL: for tests of the download alone. The prompt seeds its bytes.
     */
    public String publishVideo(String provider, String prompt) {
        return videos.urlOf(videos.publish(prompt, provider, prompt), 0);
    }

    /** The video handed out for the job whose prompt contains this text, with its size and SHA-256. */
    public Optional<SimulatedVideos.Video> videoOf(String promptPart) {
        return videos.videoOf(promptPart);
    }

    /** Download attempts that reached the video of this job, expired or cut ones included. */
    public int videoDownloadsOf(String promptPart) {
        return videos.attemptsOf(promptPart);
    }

    /** Every request to a video URL, as "GET /videos/...". */
    public List<String> videoRequests() {
        return videos.requests();
    }

    /** Every call to either provider answers 503 until the outage ends: a provider down, then back. */
    public void outageFor(Duration duration) {
        faults.outageFor(duration);
    }

    public boolean inOutage() {
        return faults.inOutage();
    }

    /**
     * Names a decoy server on another port as every Segmind submission's status_url and response_url from now on.
     * Returns its base URL.
     */
    public synchronized String segmindFollowUpsElsewhere() {
        if (decoy == null) {
            decoy = SimulatorDecoy.start(vertx);
        }
        return decoy.baseUrl();
    }

    private String segmindFollowUpsAt() {
        SimulatorDecoy elsewhere = decoy;
        return elsewhere == null ? baseUrl() : elsewhere.baseUrl();
    }

    /** Forgets the generations, as the providers do when results expire. */
    public void expireAll() {
        aimlapi.generations().clear();
        segmind.requests().clear();
    }

    /** Forgets the generations whose prompt contains this text (a job id, in tests); returns how many. */
    public int expireWhere(String promptPart) {
        return aimlapi.generations().expireWhere(promptPart) + segmind.requests().expireWhere(promptPart);
    }

    // ---- what the simulator saw ----------------------------------------------------------------------------------

    /** Every call that reached either provider, faulted or not. */
    public List<Call> calls() {
        return log.calls();
    }

    /** Calls of one operation ("submit" or "poll") for the job whose prompt contains this text. */
    public long callsOf(String operation, String promptPart) {
        return log.callsOf(operation, promptPart).size();
    }

    /** The calls of one operation for the job whose prompt contains this text, in the order they arrived. */
    public List<Call> callHistory(String operation, String promptPart) {
        return log.callsOf(operation, promptPart);
    }

    /** The faults that answered the calls of one operation for the job whose prompt contains this text, in order. */
    public List<Fault> faultsReceivedBy(String operation, String promptPart) {
        return log.callsOf(operation, promptPart).stream().map(Call::fault).filter(Objects::nonNull).toList();
    }

    /** The latest call of one operation for the job whose prompt contains this text, if any. */
    public Optional<Call> lastCallOf(String operation, String promptPart) {
        List<Call> calls = log.callsOf(operation, promptPart);
        return calls.isEmpty() ? Optional.empty() : Optional.of(calls.get(calls.size() - 1));
    }

    /** How many calls got a fault (queued, targeted or from an outage) instead of the normal answer. */
    public int faultsInjected() {
        return log.faulted();
    }

    /** Requests the decoy received: a worker that follows provider-named URLs to another host. */
    public List<String> decoyHits() {
        SimulatorDecoy elsewhere = decoy;
        return elsewhere == null ? List.of() : elsewhere.hits();
    }

    public int submissions() {
        return log.submissions();
    }

    /** Calls of both providers that passed their account's rate limit (every call while the limits are off). */
    public long callsWithinRateLimit() {
        return aimlapi.rateLimit().accepted() + segmind.rateLimit().accepted();
    }

    /** Calls of both providers refused with 429 for their account's rate limit. */
    public long callsRateLimited() {
        return aimlapi.rateLimit().refused() + segmind.rateLimit().refused();
    }

    private static JsonObject counts(SimulatorRateLimit limit) {
        return new JsonObject().put("accepted", limit.accepted()).put("rateLimited", limit.refused());
    }

    public int polls() {
        return log.polls();
    }

    /** How many times a prompt was submitted, to either provider: prompts are unique per job in tests. */
    public int submissionsOf(String prompt) {
        AtomicInteger count = log.submissionsByPrompt().get(prompt);
        return count == null ? 0 : count.get();
    }

    public Map<String, AtomicInteger> submissionsByPrompt() {
        return log.submissionsByPrompt();
    }

    /** The bodies of accepted submissions; a Segmind body carries its model as "x-sim-model". */
    public List<JsonObject> submittedBodies() {
        return log.submittedBodies();
    }

    /** Every Authorization header sent to the AI/ML API ("" when absent). */
    public List<String> authorizationsSeen() {
        return aimlapi.authorizationsSeen();
    }

    /** Every x-api-key value sent to the Segmind endpoints ("" when absent). */
    public List<String> segmindKeysSeen() {
        return segmind.keysSeen();
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
