package io.genworker.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Speaks the AI/ML API's video endpoints as the docs show them, quirks included: ids of the form
 * "uuid:pixverse/v5/..." (with ':' and '/'), statuses "waiting"/"active"/"succeeded" besides the documented
 * "queued"/"generating"/"completed", usage as "tokens_used" or "credits_used", video objects with or without
 * content_type/file_name/file_size. Faults are injected per operation; prompts may carry markers:
 * "[sim:error]" ends in status error, "[sim:blocked]" in a moderation error, "[sim:forever]" never finishes.
 * <p>
 * On the same port it speaks Segmind's asynchronous v2 API: {@code POST /v2/pixverse-5-transition} and
 * {@code /v2/pixverse-transition} (key in {@code x-api-key}, parameters the docs mark required refused when
 * missing) answer {request_id, status QUEUED, status_url, response_url}; {@code GET /v2/requests/{id}/status} goes
 * QUEUED, PROCESSING, COMPLETED over the generation time, and serves FAILED as HTTP 422 with the reason in the body
 * (as "detail", as the docs word it, or as "error", as the Segmind SDK reads it: both occur); {@code GET
 * /v2/requests/{id}} gives the output as a URL, an array of URLs or an object with video_url (the docs say only
 * that the output is "e.g. video URL"). Unknown or expired ids (results are kept one hour) answer 404. The same
 * markers and fault queues apply: submit faults to the POST, poll faults to either GET.
 * <p>
 * Faults can target one job (by a part of its prompt, the job id in tests) so that concurrent jobs do not take each
 * other's faults; every call that reaches the simulator is recorded, faulted or not, so tests can bound retries. An
 * outage answers 503 to every call until it ends. A decoy server on another port can be named as Segmind's
 * status_url/response_url: a worker that follows foreign URLs would show up in its hits.
 */
public final class ProviderSimulator implements AutoCloseable {

    /** Fake keys, recognisable in any output: a test scans everything the worker wrote for them. */
    public static final String AIMLAPI_KEY = "sk-FAKE-SECRET-aiml-0123456789";
    public static final String SEGMIND_KEY = "SG_FAKE-SECRET-segmind-0123456789";
    static final Set<String> AIMLAPI_MODELS = Set.of("pixverse/v5/text-to-video", "pixverse/v5/image-to-video",
            "pixverse/v5/transition");
    static final String SEGMIND_V5 = "pixverse-5-transition";
    static final String SEGMIND_V4 = "pixverse-transition";
    private static final Pattern SEGMIND_REQUEST = Pattern.compile("/v2/requests/([^/]+)(/status)?");
    private static final Set<String> QUALITIES = Set.of("360p", "540p", "720p", "1080p");

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
     * One call that reached the simulator: operation ("submit" or "poll"), the prompt of its job, and the API key
     * it carried (workers given distinct keys can be told apart by it).
     */
    public record Call(String operation, String prompt, String apiKey) {
    }

    record Generation(String id, String model, String prompt, Instant createdAt, int style) {
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Map<String, Generation> generations = new ConcurrentHashMap<>();
    private final Map<String, Generation> segmindRequests = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> submissionsByPrompt = new ConcurrentHashMap<>();
    private final List<JsonObject> submittedBodies = new CopyOnWriteArrayList<>();
    private final List<String> authorizationsSeen = new CopyOnWriteArrayList<>();
    private final List<String> segmindKeysSeen = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Fault> submitFaults = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<Fault> pollFaults = new ConcurrentLinkedDeque<>();
    private final Map<String, ConcurrentLinkedDeque<Fault>> submitFaultsByPrompt = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentLinkedDeque<Fault>> pollFaultsByPrompt = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger faultsInjected = new AtomicInteger();
    private final Map<HttpServerRequest, Duration> lateAnswers = new ConcurrentHashMap<>();
    private final List<String> decoyHits = new CopyOnWriteArrayList<>();
    private volatile HttpServer decoy;
    private volatile Instant outageUntil = Instant.MIN;
    private final AtomicInteger submissions = new AtomicInteger();
    private final AtomicInteger polls = new AtomicInteger();
    private final AtomicInteger sequence = new AtomicInteger();
    private volatile Duration generationTime = Duration.ofSeconds(1);
    private final Set<String> acceptedKeys = ConcurrentHashMap.newKeySet();
    private volatile String acceptedSegmindKey = SEGMIND_KEY;
    private volatile Duration segmindRetention = Duration.ofHours(1);

    private ProviderSimulator(String acceptedKey) {
        this.acceptedKeys.add(acceptedKey);
        this.vertx = Vertx.vertx();
        this.server = vertx.createHttpServer().requestHandler(this::handle);
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
        ProviderSimulator simulator = new ProviderSimulator(AIMLAPI_KEY);
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

    // ---- scenario controls -------------------------------------------------------------------------------------

    public ProviderSimulator generationTime(Duration time) {
        this.generationTime = time;
        return this;
    }

    /** The AI/ML API accepts this key alone from now on. */
    public ProviderSimulator acceptKey(String key) {
        acceptedKeys.add(key);
        acceptedKeys.retainAll(Set.of(key));
        return this;
    }

    /** The AI/ML API accepts this key too: one account, a key per worker. */
    public ProviderSimulator alsoAcceptKey(String key) {
        acceptedKeys.add(key);
        return this;
    }

    public ProviderSimulator acceptSegmindKey(String key) {
        this.acceptedSegmindKey = key;
        return this;
    }

    /** How long Segmind keeps a finished request's result before answering 404 (one hour, as documented). */
    public ProviderSimulator segmindRetention(Duration retention) {
        this.segmindRetention = retention;
        return this;
    }

    /** Faults for the next submissions, of either provider. */
    public void failNextSubmits(Fault... faults) {
        submitFaults.addAll(List.of(faults));
    }

    /** Faults for the next status or result reads, of either provider. */
    public void failNextPolls(Fault... faults) {
        pollFaults.addAll(List.of(faults));
    }

    /** Faults for the next submissions of the job whose prompt contains this text (its id, in tests). */
    public void failSubmitsOf(String promptPart, Fault... faults) {
        submitFaultsByPrompt.computeIfAbsent(promptPart, p -> new ConcurrentLinkedDeque<>()).addAll(List.of(faults));
    }

    /** Faults for the next status or result reads of the job whose prompt contains this text. */
    public void failPollsOf(String promptPart, Fault... faults) {
        pollFaultsByPrompt.computeIfAbsent(promptPart, p -> new ConcurrentLinkedDeque<>()).addAll(List.of(faults));
    }

    /** Every call to either provider answers 503 until the outage ends: a provider down, then back. */
    public void outageFor(Duration duration) {
        outageUntil = Instant.now().plus(duration);
    }

    public boolean inOutage() {
        return Instant.now().isBefore(outageUntil);
    }

    /** Every call that reached either provider, faulted or not. */
    public List<Call> calls() {
        return calls;
    }

    /** Calls of one operation ("submit" or "poll") for the job whose prompt contains this text. */
    public long callsOf(String operation, String promptPart) {
        return calls.stream().filter(c -> c.operation().equals(operation) && c.prompt() != null
                && c.prompt().contains(promptPart)).count();
    }

    /** The latest call of one operation for the job whose prompt contains this text, if any. */
    public Optional<Call> lastCallOf(String operation, String promptPart) {
        List<Call> snapshot = List.copyOf(calls);
        for (int i = snapshot.size() - 1; i >= 0; i--) {
            Call call = snapshot.get(i);
            if (call.operation().equals(operation) && call.prompt() != null && call.prompt().contains(promptPart)) {
                return Optional.of(call);
            }
        }
        return Optional.empty();
    }

    /** How many calls got a fault (queued, targeted or from an outage) instead of the normal answer. */
    public int faultsInjected() {
        return faultsInjected.get();
    }

    /**
     * Names a decoy server on another port as every Segmind submission's status_url and response_url from now on.
     * Returns its base URL.
     */
    public String segmindFollowUpsElsewhere() {
        if (decoy == null) {
            HttpServer server = vertx.createHttpServer().requestHandler(request -> {
                decoyHits.add(request.method() + " " + request.uri());
                reply(request, 200, null, "{\"status\":\"COMPLETED\",\"output\":\"https://decoy.example/x.mp4\"}");
            });
            try {
                server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the decoy server", e);
            }
            decoy = server;
        }
        return decoyUrl();
    }

    /** Requests the decoy received: a worker that follows provider-named URLs to another host. */
    public List<String> decoyHits() {
        return decoyHits;
    }

    private String decoyUrl() {
        HttpServer server = decoy;
        return server == null ? null : "http://127.0.0.1:" + server.actualPort();
    }

    public int submissions() {
        return submissions.get();
    }

    public int polls() {
        return polls.get();
    }

    /** How many times a prompt was submitted, to either provider: prompts are unique per job in tests. */
    public int submissionsOf(String prompt) {
        AtomicInteger count = submissionsByPrompt.get(prompt);
        return count == null ? 0 : count.get();
    }

    public Map<String, AtomicInteger> submissionsByPrompt() {
        return submissionsByPrompt;
    }

    public List<JsonObject> submittedBodies() {
        return submittedBodies;
    }

    public List<String> authorizationsSeen() {
        return authorizationsSeen;
    }

    /** Every x-api-key value sent to the Segmind endpoints ("" when absent). */
    public List<String> segmindKeysSeen() {
        return segmindKeysSeen;
    }

    /** Forgets the generations, as the providers do when results expire. */
    public void expireAll() {
        generations.clear();
        segmindRequests.clear();
    }

    /** Forgets the generations whose prompt contains this text (a job id, in tests); returns how many. */
    public int expireWhere(String promptPart) {
        int before = generations.size() + segmindRequests.size();
        generations.values().removeIf(g -> g.prompt().contains(promptPart));
        segmindRequests.values().removeIf(g -> g.prompt().contains(promptPart));
        return before - generations.size() - segmindRequests.size();
    }

    // ---- HTTP ----------------------------------------------------------------------------------------------------

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if (!"/v2/video/generations".equals(path)) {
            if (path.startsWith("/v2/")) {
                handleSegmind(request, path);
            } else {
                reply(request, 404, null, "{\"message\":\"Not found\"}");
            }
            return;
        }
        String authorization = request.getHeader("Authorization");
        authorizationsSeen.add(authorization == null ? "" : authorization);
        if (authorization == null || !authorization.startsWith("Bearer ")
                || !acceptedKeys.contains(authorization.substring("Bearer ".length()))) {
            reply(request, 401, null, "{\"error\":{\"name\":\"Unauthorized\",\"message\":\"Invalid API key\"}}");
            return;
        }
        switch (request.method().name()) {
            case "POST" -> request.body().onSuccess(body -> withFault(request, "submit",
                    promptOf(body.toString()), () -> create(request, body.toString())));
            case "GET" -> withFault(request, "poll", promptOf(generations.get(
                    String.valueOf(request.getParam("generation_id")))), () -> status(request));
            default -> reply(request, 405, null, "{\"message\":\"Method not allowed\"}");
        }
    }

    private void withFault(HttpServerRequest request, String operation, String prompt, Runnable normal) {
        calls.add(new Call(operation, prompt, keyOf(request)));
        boolean submit = "submit".equals(operation);
        Fault fault = targetedFault(submit ? submitFaultsByPrompt : pollFaultsByPrompt, prompt);
        if (fault == null) {
            fault = (submit ? submitFaults : pollFaults).poll();
        }
        if (fault == null && inOutage()) {
            fault = Fault.body(503, "{\"message\":\"Service Unavailable\"}");
        }
        if (fault == null) {
            normal.run();
            return;
        }
        faultsInjected.incrementAndGet();
        if (fault.reset()) {
            request.connection().close();
        } else if (fault.lateAnswer()) {
            lateAnswers.put(request, fault.delay());
            normal.run();
        } else if (!fault.delay().isZero()) {
            vertx.setTimer(fault.delay().toMillis(), id -> normal.run());
        } else {
            reply(request, fault.status(), fault.retryAfter(), fault.body());
        }
    }

    private static String keyOf(HttpServerRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.startsWith("Bearer ")) {
            return authorization.substring("Bearer ".length());
        }
        return request.getHeader("x-api-key");
    }

    private static Fault targetedFault(Map<String, ConcurrentLinkedDeque<Fault>> faults, String prompt) {
        if (prompt == null) {
            return null;
        }
        for (Map.Entry<String, ConcurrentLinkedDeque<Fault>> entry : faults.entrySet()) {
            if (prompt.contains(entry.getKey())) {
                Fault fault = entry.getValue().poll();
                if (fault != null) {
                    return fault;
                }
            }
        }
        return null;
    }

    private static String promptOf(String body) {
        try {
            Object prompt = new JsonObject(body).getValue("prompt");
            return prompt instanceof String text ? text : null;
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private static String promptOf(Generation generation) {
        return generation == null ? null : generation.prompt();
    }

    private void create(HttpServerRequest request, String text) {
        JsonObject body;
        try {
            body = new JsonObject(text);
        } catch (RuntimeException e) {
            reply(request, 400, null, "{\"message\":\"Body must be JSON\"}");
            return;
        }
        String model = body.getString("model");
        String problem = problem(model, body);
        if (problem != null) {
            reply(request, 400, null, new JsonObject().put("message", problem).encode());
            return;
        }
        submissions.incrementAndGet();
        submittedBodies.add(body);
        String prompt = body.getString("prompt");
        submissionsByPrompt.computeIfAbsent(prompt, p -> new AtomicInteger()).incrementAndGet();
        int style = sequence.getAndIncrement() % 2;
        // Both id styles appear in the docs: "uuid:model" and a short nanoid.
        String id = style == 0 ? UUID.randomUUID() + ":" + model
                : UUID.randomUUID().toString().replace("-", "").substring(0, 21);
        generations.put(id, new Generation(id, model, prompt, Instant.now(), style));
        JsonObject usage = new JsonObject().put(style == 0 ? "tokens_used" : "credits_used", 420000);
        reply(request, 200, null, new JsonObject().put("id", id).put("status", "queued")
                .put("meta", new JsonObject().put("usage", usage)).encode());
    }

    private static String problem(String model, JsonObject body) {
        if (model == null || !AIMLAPI_MODELS.contains(model)) {
            return "Invalid model: " + model;
        }
        if (!(body.getValue("prompt") instanceof String)) {
            return "prompt is required";
        }
        if (!model.endsWith("text-to-video") && body.getString("image_url") == null) {
            return "image_url is required";
        }
        if (model.endsWith("transition") && body.getString("tail_image_url") == null) {
            return "tail_image_url is required";
        }
        if ("1080p".equals(body.getString("resolution")) && Integer.valueOf(8).equals(body.getInteger("duration"))) {
            return "The 1080p quality option does not support 8-second videos";
        }
        return null;
    }

    private void status(HttpServerRequest request) {
        polls.incrementAndGet();
        String id = request.getParam("generation_id");
        Generation generation = id == null ? null : generations.get(id);
        if (generation == null) {
            reply(request, 404, null, "{\"message\":\"Generation not found\"}");
            return;
        }
        Duration age = Duration.between(generation.createdAt(), Instant.now());
        boolean forever = generation.prompt().contains("[sim:forever]");
        JsonObject body = new JsonObject().put("id", generation.id());
        boolean modern = generation.style() == 0;
        if (age.compareTo(generationTime.dividedBy(4)) < 0) {
            body.put("status", modern ? "queued" : "waiting");
        } else if (forever || age.compareTo(generationTime) < 0) {
            body.put("status", modern ? "generating" : "active");
        } else if (generation.prompt().contains("[sim:error]")) {
            body.put("status", "error").put("error", new JsonObject().put("name", "GenerationError")
                    .put("message", "The generation failed on the provider"));
        } else if (generation.prompt().contains("[sim:blocked]")) {
            body.put("status", "error").put("error", new JsonObject().put("name", "ModerationError")
                    .put("message", "Content moderation: the prompt was flagged as sensitive"));
        } else if (modern) {
            body.put("status", "completed").put("video", new JsonObject()
                    .put("url", "https://cdn.aimlapi.com/eagle/files/sim/" + generation.id().hashCode() + "_output.mp4")
                    .put("content_type", "video/mp4").put("file_name", "output.mp4").put("file_size", 4259218));
        } else {
            body.put("status", "succeeded").put("video", new JsonObject()
                    .put("url", "https://cdn.aimlapi.com/panda/pixverse%2Fmp4%2Fmedia%2Fweb%2Fori%2F"
                            + generation.id() + "_seed1592035041.mp4"));
        }
        reply(request, 200, null, body.encode());
    }

    // ---- Segmind v2 ------------------------------------------------------------------------------------------------

    private void handleSegmind(HttpServerRequest request, String path) {
        String key = request.getHeader("x-api-key");
        segmindKeysSeen.add(key == null ? "" : key);
        if (key == null || !key.equals(acceptedSegmindKey)) {
            reply(request, 401, null, "{\"error\":\"Invalid API key\"}");
            return;
        }
        String method = request.method().name();
        Matcher requestPath = SEGMIND_REQUEST.matcher(path);
        if ("GET".equals(method) && requestPath.matches()) {
            String id = requestPath.group(1);
            boolean statusOnly = requestPath.group(2) != null;
            withFault(request, "poll", promptOf(segmindRequests.get(id)),
                    () -> segmindRead(request, id, statusOnly));
        } else if ("POST".equals(method) && (path.equals("/v2/" + SEGMIND_V5) || path.equals("/v2/" + SEGMIND_V4))) {
            String model = path.substring("/v2/".length());
            request.body().onSuccess(body -> withFault(request, "submit", promptOf(body.toString()),
                    () -> segmindSubmit(request, model, body.toString())));
        } else {
            reply(request, 404, null, "{\"error\":\"Model or endpoint not found\"}");
        }
    }

    private void segmindSubmit(HttpServerRequest request, String model, String text) {
        JsonObject body;
        try {
            body = new JsonObject(text);
        } catch (RuntimeException e) {
            reply(request, 400, null, "{\"error\":\"Invalid request format: body must be JSON\"}");
            return;
        }
        String problem = segmindProblem(model, body);
        if (problem != null) {
            reply(request, 400, null, new JsonObject().put("error", problem).encode());
            return;
        }
        submissions.incrementAndGet();
        submittedBodies.add(body.copy().put("x-sim-model", model));
        String prompt = body.getString("prompt");
        submissionsByPrompt.computeIfAbsent(prompt, p -> new AtomicInteger()).incrementAndGet();
        String id = UUID.randomUUID().toString();
        segmindRequests.put(id, new Generation(id, model, prompt, Instant.now(), sequence.getAndIncrement() % 3));
        String followUps = decoy == null ? baseUrl() : decoyUrl();
        reply(request, 200, null, new JsonObject().put("request_id", id).put("status", "QUEUED")
                .put("status_url", followUps + "/v2/requests/" + id + "/status")
                .put("response_url", followUps + "/v2/requests/" + id).encode());
    }

    /** The parameters each model's page marks required, and their documented values. */
    private static String segmindProblem(String model, JsonObject body) {
        List<String> required = SEGMIND_V5.equals(model)
                ? List.of("duration", "motion_mode", "prompt", "quality")
                : List.of("duration", "first_frame_url", "last_frame_url", "motion_mode", "prompt", "quality");
        for (String field : required) {
            if (body.getValue(field) == null) {
                return field + " is required";
            }
        }
        if (!(body.getValue("prompt") instanceof String)) {
            return "prompt must be a string";
        }
        if (!(body.getValue("duration") instanceof Number duration)
                || (duration.intValue() != 5 && duration.intValue() != 8)) {
            return "duration must be one of 5, 8";
        }
        Set<String> motionModes = SEGMIND_V5.equals(model) ? Set.of("normal") : Set.of("normal", "fast");
        if (!motionModes.contains(String.valueOf(body.getValue("motion_mode")))) {
            return "motion_mode must be one of " + motionModes;
        }
        if (!QUALITIES.contains(String.valueOf(body.getValue("quality")))) {
            return "quality must be one of " + QUALITIES;
        }
        Object seed = body.getValue("seed");
        if (seed != null && (!(seed instanceof Number n) || n.longValue() < 1 || n.longValue() > 999999)) {
            return "seed must be between 1 and 999999";
        }
        return null;
    }

    private void segmindRead(HttpServerRequest request, String id, boolean statusOnly) {
        polls.incrementAndGet();
        Generation generation = segmindRequests.get(id);
        Duration age = generation == null ? Duration.ZERO : Duration.between(generation.createdAt(), Instant.now());
        if (generation == null || age.compareTo(generationTime.plus(segmindRetention)) > 0) {
            reply(request, 404, null, "{\"error\":\"Request not found or expired\"}");
            return;
        }
        boolean forever = generation.prompt().contains("[sim:forever]");
        JsonObject body = new JsonObject().put("request_id", id);
        if (age.compareTo(generationTime.dividedBy(4)) < 0) {
            reply(request, 200, null, body.put("status", "QUEUED").encode());
        } else if (forever || age.compareTo(generationTime) < 0) {
            reply(request, 200, null, body.put("status", "PROCESSING").encode());
        } else if (generation.prompt().contains("[sim:error]")) {
            reply(request, 422, null, segmindFailure(body, generation,
                    "Inference failed: the generation failed on the provider").encode());
        } else if (generation.prompt().contains("[sim:blocked]")) {
            reply(request, 422, null, segmindFailure(body, generation,
                    "Content blocked: the prompt was flagged by the RAI safety filter").encode());
        } else if (statusOnly) {
            reply(request, 200, null, body.put("status", "COMPLETED").encode());
        } else {
            String url = "https://outputs.segmind.example/sim/" + id + ".mp4";
            Object output = switch (generation.style()) {
                case 0 -> url;
                case 1 -> new JsonArray().add(url);
                default -> new JsonObject().put("video_url", url);
            };
            reply(request, 200, null, body.put("status", "COMPLETED").putNull("error")
                    .put("metrics", new JsonObject().put("inference_time", 76.7)).put("output", output).encode());
        }
    }

    private static JsonObject segmindFailure(JsonObject body, Generation generation, String reason) {
        return body.put("status", "FAILED").put(generation.style() == 1 ? "error" : "detail", reason);
    }

    private void reply(HttpServerRequest request, int status, String retryAfter, String body) {
        Duration late = lateAnswers.remove(request);
        if (late != null) {
            vertx.setTimer(late.toMillis(), id -> reply(request, status, retryAfter, body));
            return;
        }
        var response = request.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        if (retryAfter != null) {
            response.putHeader("Retry-After", retryAfter);
        }
        if (!response.closed()) {
            response.end(body == null ? "" : body);
        }
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
