package io.genworker.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.genworker.support.SimulatorGenerations.Generation;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Segmind's asynchronous v2 API: {@code POST /v2/pixverse-5-transition} and {@code /v2/pixverse-transition} (key
 * in {@code x-api-key}, parameters the docs mark required refused when missing) answer {request_id, status QUEUED,
 * status_url, response_url}; {@code GET /v2/requests/{id}/status} goes QUEUED, PROCESSING, COMPLETED over the
 * generation time, and serves FAILED as HTTP 422 with the reason in the body (as "detail", as the docs word it, or
 * as "error", as the Segmind SDK reads it: both occur); {@code GET /v2/requests/{id}} gives the output as a URL, an
 * array of URLs or an object with video_url (the docs say only that the output is "e.g. video URL"), the three in
 * rotation. Unknown or expired ids (results are kept one hour) answer 404.
 */
final class SimulatorSegmind {

    static final String PATH_PREFIX = "/v2/";
    static final String V5 = "pixverse-5-transition";
    static final String V4 = "pixverse-transition";
    private static final Pattern REQUEST = Pattern.compile("/v2/requests/([^/]+)(/status)?");
    private static final Set<String> QUALITIES = Set.of("360p", "540p", "720p", "1080p");

    private final SimulatorExchange exchange;
    private final Supplier<Duration> generationTime;
    /** Where submissions say to follow up: the simulator itself, or a decoy on another port. */
    private final Supplier<String> followUpsAt;
    private final SimulatorGenerations requests = new SimulatorGenerations();
    private final List<String> keysSeen = new CopyOnWriteArrayList<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private volatile String acceptedKey;
    private volatile Duration retention = Duration.ofHours(1);
    private final SimulatedVideos videos;
    /** The docs: "429 Rate Limited: Too many requests", details in the body. */
    private final SimulatorRateLimit rateLimit = new SimulatorRateLimit("{\"error\":\"Too many requests\"}");

    SimulatorSegmind(SimulatorExchange exchange, Supplier<Duration> generationTime, Supplier<String> followUpsAt,
            String acceptedKey, SimulatedVideos videos) {
        this.exchange = exchange;
        this.videos = videos;
        this.generationTime = generationTime;
        this.followUpsAt = followUpsAt;
        this.acceptedKey = acceptedKey;
    }

    void accept(String key) {
        this.acceptedKey = key;
    }

    void retention(Duration retention) {
        this.retention = retention;
    }

    /** Every x-api-key value sent ("" when absent). */
    List<String> keysSeen() {
        return keysSeen;
    }

    SimulatorGenerations requests() {
        return requests;
    }

    SimulatorRateLimit rateLimit() {
        return rateLimit;
    }

    void handle(HttpServerRequest request, String path) {
        String key = request.getHeader("x-api-key");
        keysSeen.add(key == null ? "" : key);
        if (key == null || !key.equals(acceptedKey)) {
            exchange.reply(request, 401, "{\"error\":\"Invalid API key\"}");
            return;
        }
        String method = request.method().name();
        Matcher requestPath = REQUEST.matcher(path);
        if ("GET".equals(method) && requestPath.matches()) {
            String id = requestPath.group(1);
            boolean statusOnly = requestPath.group(2) != null;
            exchange.call(request, rateLimit, ProviderSimulator.POLL, requests.promptOf(id),
                    () -> read(request, id, statusOnly));
        } else if ("POST".equals(method) && (path.equals(PATH_PREFIX + V5) || path.equals(PATH_PREFIX + V4))) {
            String model = path.substring(PATH_PREFIX.length());
            request.body().onSuccess(body -> exchange.call(request, rateLimit, ProviderSimulator.SUBMIT,
                    SimulatorAimlApi.promptOf(body.toString()), () -> submit(request, model, body.toString())));
        } else {
            exchange.reply(request, 404, "{\"error\":\"Model or endpoint not found\"}");
        }
    }

    private void submit(HttpServerRequest request, String model, String text) {
        JsonObject body;
        try {
            body = new JsonObject(text);
        } catch (RuntimeException e) {
            exchange.reply(request, 400, "{\"error\":\"Invalid request format: body must be JSON\"}");
            return;
        }
        String problem = problem(model, body);
        if (problem != null) {
            exchange.reply(request, 400, new JsonObject().put("error", problem).encode());
            return;
        }
        String prompt = body.getString("prompt");
        exchange.log().accepted(prompt, body.copy().put("x-sim-model", model));
        String id = UUID.randomUUID().toString();
        requests.add(new Generation(id, model, prompt, Instant.now(), sequence.getAndIncrement() % 3));
        String followUps = followUpsAt.get();
        exchange.reply(request, 200, new JsonObject().put("request_id", id).put("status", "QUEUED")
                .put("status_url", followUps + "/v2/requests/" + id + "/status")
                .put("response_url", followUps + "/v2/requests/" + id).encode());
    }

    /** The parameters each model's page marks required, and their documented values. */
    private static String problem(String model, JsonObject body) {
        List<String> required = V5.equals(model)
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
        Set<String> motionModes = V5.equals(model) ? Set.of("normal") : Set.of("normal", "fast");
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

    private void read(HttpServerRequest request, String id, boolean statusOnly) {
        exchange.log().polled();
        Generation generation = requests.get(id);
        if (generation == null || generation.age().compareTo(generationTime.get().plus(retention)) > 0) {
            exchange.reply(request, 404, "{\"error\":\"Request not found or expired\"}");
            return;
        }
        JsonObject body = new JsonObject().put("request_id", id);
        switch (generation.stage(generationTime.get())) {
            case QUEUED -> exchange.reply(request, 200, body.put("status", "QUEUED").encode());
            case RUNNING -> exchange.reply(request, 200, body.put("status", "PROCESSING").encode());
            case FAILED -> exchange.reply(request, 422, failure(body, generation,
                    "Inference failed: the generation failed on the provider").encode());
            case BLOCKED -> exchange.reply(request, 422, failure(body, generation,
                    "Content blocked: the prompt was flagged by the RAI safety filter").encode());
            case SUCCEEDED -> exchange.reply(request, 200, statusOnly ? body.put("status", "COMPLETED").encode()
                    : completed(body, videoUrl(generation), generation.style()).encode());
        }
    }

    private String videoUrl(Generation generation) {
        return videos.served() ? videos.urlOf(videos.publish(generation.id(), "segmind", generation.prompt()), 0)
                : "https://outputs.segmind.example/sim/" + generation.id() + ".mp4";
    }

    private static JsonObject completed(JsonObject body, String url, int style) {
        Object output = switch (style) {
            case 0 -> url;
            case 1 -> new JsonArray().add(url);
            default -> new JsonObject().put("video_url", url);
        };
        return body.put("status", "COMPLETED").putNull("error")
                .put("metrics", new JsonObject().put("inference_time", 76.7)).put("output", output);
    }

    private static JsonObject failure(JsonObject body, Generation generation, String reason) {
        return body.put("status", "FAILED").put(generation.style() == 1 ? "error" : "detail", reason);
    }
}
