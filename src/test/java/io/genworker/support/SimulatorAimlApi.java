package io.genworker.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.genworker.support.SimulatorGenerations.Generation;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The AI/ML API's video endpoint ({@code /v2/video/generations}: POST submits, GET with {@code generation_id}
 * polls) as its docs show it, quirks included: ids of the form "uuid:pixverse/v5/..." (with ':' and '/') or a short
 * nanoid, statuses "waiting"/"active"/"succeeded" besides the documented "queued"/"generating"/"completed", usage
 * as "tokens_used" or "credits_used", video objects with or without content_type/file_name/file_size. The two
 * styles alternate per submission.
 */
final class SimulatorAimlApi {

    static final String PATH = "/v2/video/generations";
    static final Set<String> MODELS = Set.of("pixverse/v5/text-to-video", "pixverse/v5/image-to-video",
            "pixverse/v5/transition");

    private final SimulatorExchange exchange;
    private final Supplier<Duration> generationTime;
    private final SimulatorGenerations generations = new SimulatorGenerations();
    private final List<String> authorizationsSeen = new CopyOnWriteArrayList<>();
    private final Set<String> acceptedKeys = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sequence = new AtomicInteger();
    private final SimulatedVideos videos;
    /** The API's own error shape: the docs list no 429, nor the limit. */
    private final SimulatorRateLimit rateLimit = new SimulatorRateLimit(
            "{\"error\":{\"name\":\"TooManyRequests\",\"message\":\"Too many requests\"}}");

    SimulatorAimlApi(SimulatorExchange exchange, Supplier<Duration> generationTime, String acceptedKey,
            SimulatedVideos videos) {
        this.exchange = exchange;
        this.videos = videos;
        this.generationTime = generationTime;
        this.acceptedKeys.add(acceptedKey);
    }

    void acceptOnly(String key) {
        acceptedKeys.add(key);
        acceptedKeys.retainAll(Set.of(key));
    }

    void alsoAccept(String key) {
        acceptedKeys.add(key);
    }

    /** Every Authorization header sent ("" when absent). */
    List<String> authorizationsSeen() {
        return authorizationsSeen;
    }

    SimulatorGenerations generations() {
        return generations;
    }

    SimulatorRateLimit rateLimit() {
        return rateLimit;
    }

    void handle(HttpServerRequest request) {
        String authorization = request.getHeader("Authorization");
        authorizationsSeen.add(authorization == null ? "" : authorization);
        if (authorization == null || !authorization.startsWith("Bearer ")
                || !acceptedKeys.contains(authorization.substring("Bearer ".length()))) {
            exchange.reply(request, 401, "{\"error\":{\"name\":\"Unauthorized\",\"message\":\"Invalid API key\"}}");
            return;
        }
        switch (request.method().name()) {
            case "POST" -> request.body().onSuccess(body -> exchange.call(request, rateLimit, ProviderSimulator.SUBMIT,
                    promptOf(body.toString()), () -> create(request, body.toString())));
            case "GET" -> exchange.call(request, rateLimit, ProviderSimulator.POLL,
                    generations.promptOf(request.getParam("generation_id")), () -> status(request));
            default -> exchange.reply(request, 405, "{\"message\":\"Method not allowed\"}");
        }
    }

    /** The prompt of a submission's body, whatever else is wrong with it; null when there is none. */
    static String promptOf(String body) {
        try {
            Object prompt = new JsonObject(body).getValue("prompt");
            return prompt instanceof String text ? text : null;
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private void create(HttpServerRequest request, String text) {
        JsonObject body;
        try {
            body = new JsonObject(text);
        } catch (RuntimeException e) {
            exchange.reply(request, 400, "{\"message\":\"Body must be JSON\"}");
            return;
        }
        String model = body.getString("model");
        String problem = problem(model, body);
        if (problem != null) {
            exchange.reply(request, 400, new JsonObject().put("message", problem).encode());
            return;
        }
        String prompt = body.getString("prompt");
        exchange.log().accepted(prompt, body);
        int style = sequence.getAndIncrement() % 2;
        // Both id styles appear in the docs: "uuid:model" and a short nanoid.
        String id = style == 0 ? UUID.randomUUID() + ":" + model
                : UUID.randomUUID().toString().replace("-", "").substring(0, 21);
        generations.add(new Generation(id, model, prompt, Instant.now(), style));
        JsonObject usage = new JsonObject().put(style == 0 ? "tokens_used" : "credits_used", 420000);
        exchange.reply(request, 200, new JsonObject().put("id", id).put("status", "queued")
                .put("meta", new JsonObject().put("usage", usage)).encode());
    }

    private static String problem(String model, JsonObject body) {
        if (model == null || !MODELS.contains(model)) {
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
        exchange.log().polled();
        Generation generation = generations.get(request.getParam("generation_id"));
        if (generation == null) {
            exchange.reply(request, 404, "{\"message\":\"Generation not found\"}");
            return;
        }
        JsonObject body = new JsonObject().put("id", generation.id());
        boolean modern = generation.style() == 0;
        switch (generation.stage(generationTime.get())) {
            case QUEUED -> body.put("status", modern ? "queued" : "waiting");
            case RUNNING -> body.put("status", modern ? "generating" : "active");
            case FAILED -> body.put("status", "error").put("error", new JsonObject().put("name", "GenerationError")
                    .put("message", "The generation failed on the provider"));
            case BLOCKED -> body.put("status", "error").put("error", new JsonObject().put("name", "ModerationError")
                    .put("message", "Content moderation: the prompt was flagged as sensitive"));
            case SUCCEEDED -> {
                SimulatedVideos.Video served = videos.served()
                        ? videos.publish(generation.id(), "aimlapi", generation.prompt()) : null;
                if (modern) {
                    body.put("status", "completed").put("video", new JsonObject()
                            .put("url", served != null ? videos.urlOf(served, 0)
                                    : "https://cdn.aimlapi.com/eagle/files/sim/" + generation.id().hashCode()
                                            + "_output.mp4")
                            .put("content_type", served != null ? served.contentType() : "video/mp4")
                            .put("file_name", "output." + (served != null ? served.extension() : "mp4"))
                            .put("file_size", served != null ? served.size() : 4259218));
                } else {
                    body.put("status", "succeeded").put("video", new JsonObject()
                            .put("url", served != null ? videos.urlOf(served, 1)
                                    : "https://cdn.aimlapi.com/panda/pixverse%2Fmp4%2Fmedia%2Fweb%2Fori%2F"
                                            + generation.id() + "_seed1592035041.mp4"));
                }
            }
        }
        exchange.reply(request, 200, body.encode());
    }
}
