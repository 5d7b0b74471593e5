package io.genworker.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
 */
public final class ProviderSimulator implements AutoCloseable {

    public static final String AIMLAPI_KEY = "sk-sim-aimlapi-0123456789abcdef";
    public static final String SEGMIND_KEY = "SG_sim_segmind_0123456789abcdef";
    static final Set<String> AIMLAPI_MODELS = Set.of("pixverse/v5/text-to-video", "pixverse/v5/image-to-video",
            "pixverse/v5/transition");
    static final String SEGMIND_V5 = "pixverse-5-transition";
    static final String SEGMIND_V4 = "pixverse-transition";
    private static final Pattern SEGMIND_REQUEST = Pattern.compile("/v2/requests/([^/]+)(/status)?");
    private static final Set<String> QUALITIES = Set.of("360p", "540p", "720p", "1080p");

    /** An answer forced on the next call of one operation, instead of the normal one. */
    public record Fault(int status, String retryAfter, String body, Duration delay, boolean reset) {

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
    private final AtomicInteger submissions = new AtomicInteger();
    private final AtomicInteger polls = new AtomicInteger();
    private final AtomicInteger sequence = new AtomicInteger();
    private volatile Duration generationTime = Duration.ofSeconds(1);
    private volatile String acceptedKey;
    private volatile String acceptedSegmindKey = SEGMIND_KEY;
    private volatile Duration segmindRetention = Duration.ofHours(1);

    private ProviderSimulator(String acceptedKey) {
        this.acceptedKey = acceptedKey;
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

    public ProviderSimulator acceptKey(String key) {
        this.acceptedKey = key;
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
        if (authorization == null || !authorization.equals("Bearer " + acceptedKey)) {
            reply(request, 401, null, "{\"error\":{\"name\":\"Unauthorized\",\"message\":\"Invalid API key\"}}");
            return;
        }
        switch (request.method().name()) {
            case "POST" -> request.body().onSuccess(body -> withFault(request, submitFaults,
                    () -> create(request, body.toString())));
            case "GET" -> withFault(request, pollFaults, () -> status(request));
            default -> reply(request, 405, null, "{\"message\":\"Method not allowed\"}");
        }
    }

    private void withFault(HttpServerRequest request, ConcurrentLinkedDeque<Fault> faults, Runnable normal) {
        Fault fault = faults.poll();
        if (fault == null) {
            normal.run();
        } else if (fault.reset()) {
            request.connection().close();
        } else if (!fault.delay().isZero()) {
            vertx.setTimer(fault.delay().toMillis(), id -> normal.run());
        } else {
            reply(request, fault.status(), fault.retryAfter(), fault.body());
        }
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
            withFault(request, pollFaults, () -> segmindRead(request, id, statusOnly));
        } else if ("POST".equals(method) && (path.equals("/v2/" + SEGMIND_V5) || path.equals("/v2/" + SEGMIND_V4))) {
            String model = path.substring("/v2/".length());
            request.body().onSuccess(body -> withFault(request, submitFaults,
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
        reply(request, 200, null, new JsonObject().put("request_id", id).put("status", "QUEUED")
                .put("status_url", baseUrl() + "/v2/requests/" + id + "/status")
                .put("response_url", baseUrl() + "/v2/requests/" + id).encode());
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

    private static void reply(HttpServerRequest request, int status, String retryAfter, String body) {
        var response = request.response().setStatusCode(status).putHeader("Content-Type", "application/json");
        if (retryAfter != null) {
            response.putHeader("Retry-After", retryAfter);
        }
        response.end(body == null ? "" : body);
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
