package io.genworker.provider.aimlapi;

import java.time.Clock;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.provider.GenerationStatus;
import io.genworker.provider.GenerationStatus.Phase;
import io.genworker.provider.ProviderCallException;
import io.genworker.provider.ProviderErrors;
import io.genworker.provider.ProviderExchange;
import io.genworker.provider.ProviderOperation;
import io.genworker.provider.RequestBodies;
import io.genworker.provider.StatusBodies;
import io.genworker.provider.Submission;
import io.genworker.provider.VideoProvider;
import io.smallrye.mutiny.Uni;

/** Submits and polls PixVerse v5 generations on the AI/ML API, mapping its statuses and errors to ours. */
@ApplicationScoped
public class AimlApiProvider implements VideoProvider {

    public static final String ID = "aimlapi";

    private final AimlApi api;
    private final ObjectMapper mapper;
    private final WorkerConfig.Provider config;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final ProviderExchange exchange;

    public AimlApiProvider(@RestClient AimlApi api, ObjectMapper mapper, WorkerConfig config, WorkerMetrics metrics,
            Clock clock) {
        this.api = api;
        this.mapper = mapper;
        this.config = config.providers().aimlapi();
        this.metrics = metrics;
        this.clock = clock;
        this.exchange = new ProviderExchange(ID, mapper, metrics, clock);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public WorkerConfig.Provider settings() {
        return config;
    }

    @Override
    public boolean configured() {
        return config.apiKey().isPresent();
    }

    /** The body the API receives: the request's own parameters (nulls left out) plus the model name. */
    public ObjectNode requestBody(JobRecord job) {
        ObjectNode body = mapper.createObjectNode();
        body.put("model", job.model());
        RequestBodies.putGiven(body, job.input());
        return body;
    }

    @Override
    public Uni<Submission> submit(JobRecord job) {
        String body = requestBody(job).toString();
        return call(ProviderOperation.SUBMIT, api.create(bearer(), body)).map(this::readSubmission);
    }

    @Override
    public Uni<GenerationStatus> poll(String providerJobId) {
        return call(ProviderOperation.POLL, api.get(bearer(), providerJobId)).map(this::readStatus);
    }

    private Uni<JsonNode> call(ProviderOperation operation, Uni<Response> request) {
        return exchange.send(operation, request).map(answer -> exchange.json(operation, answer));
    }

    private Submission readSubmission(JsonNode body) {
        String id = StatusBodies.text(body, "id");
        if (id == null || id.isBlank()) {
            throw ProviderErrors.unreadable(ID, ProviderOperation.SUBMIT, "no generation id", body.toString());
        }
        if (id.length() > StatusBodies.MAX_ID_CHARS) {
            throw ProviderErrors.unreadable(ID, ProviderOperation.SUBMIT, "generation id of " + id.length() + " chars",
                    body.toString());
        }
        GenerationStatus status = readStatus(body);
        if (status.phase() == Phase.FAILED) {
            throw new ProviderCallException(io.genworker.provider.ProviderFault.JOB_FATAL, 200, null,
                    "aimlapi refused the generation: " + status.errorMessage());
        }
        return new Submission(id, status.credits());
    }

    GenerationStatus readStatus(JsonNode body) {
        String raw = StatusBodies.text(body, "status");
        Phase phase = phase(raw);
        if (phase == null) {
            throw ProviderErrors.unreadable(ID, ProviderOperation.POLL, "undocumented status '" + raw + "'", body.toString());
        }
        JsonNode usage = body.path("meta").path("usage");
        // The schema says credits_used; real responses also send tokens_used.
        Double credits = StatusBodies.number(usage.has("credits_used") ? usage.get("credits_used")
                : usage.get("tokens_used"));
        if (phase == Phase.FAILED) {
            String message = StatusBodies.errorMessage(body.get("error"));
            return new GenerationStatus(phase, null, message, StatusBodies.looksLikeContentBlock(message), credits,
                    raw);
        }
        if (phase == Phase.COMPLETED) {
            var video = StatusBodies.video(body.get("video"));
            if (video == null) {
                return new GenerationStatus(Phase.FAILED, null, "status '" + raw + "' without a video URL", false,
                        credits, raw);
            }
            return new GenerationStatus(phase, video, null, false, credits, raw);
        }
        return new GenerationStatus(phase, null, null, false, credits, raw);
    }

    /** Documented statuses plus those the API really sends (waiting, active, succeeded). */
    static Phase phase(String status) {
        if (status == null) {
            return null;
        }
        return switch (status.toLowerCase(Locale.ROOT)) {
            case "queued", "waiting", "pending" -> Phase.QUEUED;
            case "generating", "active", "processing" -> Phase.RUNNING;
            case "completed", "succeeded", "success" -> Phase.COMPLETED;
            case "error", "failed" -> Phase.FAILED;
            default -> null;
        };
    }

    private String bearer() {
        // Only called for configured providers: the tracker holds jobs of a provider without a key.
        return "Bearer " + config.apiKey().orElse("");
    }
}
