package io.genworker.provider.segmind;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.job.Video;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.provider.GenerationStatus;
import io.genworker.provider.GenerationStatus.Phase;
import io.genworker.provider.ProviderCallException;
import io.genworker.provider.ProviderErrors;
import io.genworker.provider.ProviderExchange;
import io.genworker.provider.ProviderExchange.Answer;
import io.genworker.provider.ProviderFault;
import io.genworker.provider.ProviderOperation;
import io.genworker.provider.RequestBodies;
import io.genworker.provider.StatusBodies;
import io.genworker.provider.Submission;
import io.genworker.provider.VideoProvider;
import io.smallrye.mutiny.Uni;

/**
 * Submits and polls PixVerse generations on Segmind, mapping its statuses and errors to ours.
 * <p>
 * Both models go through the asynchronous v2 API ({@code POST /v2/{model}}, {@code GET /v2/requests/{id}/status},
 * {@code GET /v2/requests/{id}}), although the v4 model's page shows only the synchronous v1 endpoint. A v1 call
 * holds one connection open for the whole generation (minutes), returns no request id, and a worker crash or a read
 * timeout during it leaves the job's fate unknown: the provider may be generating (and charging for) a video we can
 * never fetch, so the job could only fail with SUBMIT_UNCERTAIN. The v2 submit answers at once with a request id
 * that the job log keeps, so any worker can resume polling after a restart or a partition hand-over.
 * <p>
 * Polls are built from the request id against the configured base URL. The {@code status_url} and
 * {@code response_url} a submission names are never followed (they would send our key wherever a response points);
 * one pointing at another host is only logged.
 * <p>
 * A FAILED request is served as HTTP 422 with the detail in the body, on the status endpoint as on the result
 * endpoint: that 422 is the generation's outcome, not a refused call. 404 means the id is unknown or its result
 * expired (Segmind keeps results for one hour).
 */
@ApplicationScoped
public class SegmindProvider implements VideoProvider {

    public static final String ID = "segmind";

    /**
     * Values for parameters the docs mark required although they document a default: sent when the request leaves
     * them out, so that the provider never refuses a request our catalogue accepted (which marks them optional with
     * the same defaults). pixverse-transition (v4) documents no defaults, only examples: its required parameters
     * stay required in the catalogue.
     */
    static final Map<String, Map<String, JsonNode>> REQUIRED_DEFAULTS = Map.of(
            "pixverse-5-transition", Map.of(
                    "duration", IntNode.valueOf(5),
                    "motion_mode", TextNode.valueOf("normal"),
                    "quality", TextNode.valueOf("540p")));

    /** Request ids are UUIDs; anything outside this could not safely become one path segment. */
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,255}");
    private static final List<String> FOLLOW_UP_URLS = List.of("status_url", "response_url", "poll_url");
    private static final List<String> URL_FIELDS = List.of("url", "video", "video_url", "output");
    private static final int MAX_URL_SEARCH_DEPTH = 6;
    private static final int MAX_DETAIL_CHARS = 1000;
    private static final String NO_DETAIL = "generation failed without detail";
    private static final Logger LOG = Logger.getLogger(SegmindProvider.class);

    private final SegmindApi api;
    private final ObjectMapper mapper;
    private final WorkerConfig.Provider config;
    private final WorkerMetrics metrics;
    private final Clock clock;
    private final ProviderExchange exchange;

    public SegmindProvider(@RestClient SegmindApi api, ObjectMapper mapper, WorkerConfig config,
            WorkerMetrics metrics, Clock clock) {
        this.api = api;
        this.mapper = mapper;
        this.config = config.providers().segmind();
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

    /**
     * The body the API receives: the request's own parameters (nulls left out) plus the defaults of
     * documented-required ones.
     */
    public ObjectNode requestBody(JobRecord job) {
        ObjectNode body = mapper.createObjectNode();
        RequestBodies.putGiven(body, job.input());
        REQUIRED_DEFAULTS.getOrDefault(job.model(), Map.of()).forEach((field, value) -> {
            if (!body.has(field)) {
                body.set(field, value.deepCopy());
            }
        });
        return body;
    }

    @Override
    public Uni<Submission> submit(JobRecord job) {
        String body = requestBody(job).toString();
        return exchange.send(ProviderOperation.SUBMIT, api.submit(key(), job.model(), body))
                .map(answer -> readSubmission(exchange.json(ProviderOperation.SUBMIT, answer)));
    }

    /** Status first; only a COMPLETED request costs a second call, for its result. */
    /** "Results are retained for 1 hour, then expire" (Segmind's async docs). */
    @Override
    public Optional<Duration> resultRetention() {
        return Optional.of(Duration.ofHours(1));
    }

    @Override
    public Uni<GenerationStatus> poll(String requestId) {
        return exchange.send(ProviderOperation.POLL, api.status(key(), requestId))
                .map(this::readStatus)
                .flatMap(status -> status.phase() == Phase.COMPLETED
                        ? exchange.send(ProviderOperation.RESULT, api.result(key(), requestId)).map(this::readResult)
                        : Uni.createFrom().item(status));
    }

    // ---- HTTP --------------------------------------------------------------------------------------------------

    // ---- reading answers ---------------------------------------------------------------------------------------

    Submission readSubmission(JsonNode body) {
        String id = StatusBodies.text(body, "request_id");
        if (id == null || id.isBlank()) {
            throw ProviderErrors.unreadable(ID, ProviderOperation.SUBMIT, "no request_id", body.toString());
        }
        if (!REQUEST_ID.matcher(id).matches()) {
            throw ProviderErrors.unreadable(ID, ProviderOperation.SUBMIT, "request_id unfit for a URL path", body.toString());
        }
        if (phase(StatusBodies.text(body, "status")) == Phase.FAILED) {
            throw new ProviderCallException(ProviderFault.JOB_FATAL, 200, null,
                    "segmind refused the generation: " + failureDetail(body, body.toString()));
        }
        warnAboutForeignUrls(id, body);
        return new Submission(id, null);
    }

    /** The answer of GET /v2/requests/{id}/status. COMPLETED here carries no video yet: the result call does. */
    GenerationStatus readStatus(Answer answer) {
        if (answer.status() == 422) {
            return failed(answer.body());
        }
        JsonNode body = exchange.json(ProviderOperation.POLL, answer);
        String raw = StatusBodies.text(body, "status");
        Phase phase = phase(raw);
        if (phase == null) {
            throw ProviderErrors.unreadable(ID, ProviderOperation.POLL, "undocumented status '" + raw + "'", body.toString());
        }
        if (phase == Phase.FAILED) {
            // Documented as a 422, but a 200 that says FAILED means the same.
            return failed(answer.body());
        }
        return new GenerationStatus(phase, null, null, false, null, raw);
    }

    /** The answer of GET /v2/requests/{id} after COMPLETED: the output, with the video URL somewhere in it. */
    GenerationStatus readResult(Answer answer) {
        if (answer.status() == 422) {
            return failed(answer.body());
        }
        JsonNode body = exchange.json(ProviderOperation.RESULT, answer);
        String raw = StatusBodies.text(body, "status");
        Phase phase = raw == null ? Phase.COMPLETED : phase(raw);
        if (phase == Phase.FAILED) {
            return failed(answer.body());
        }
        if (phase == Phase.QUEUED || phase == Phase.RUNNING) {
            return new GenerationStatus(phase, null, null, false, null, raw);
        }
        String url = videoUrl(body.get("output"));
        if (url == null) {
            url = videoUrl(body);
        }
        String shown = raw == null ? "COMPLETED" : raw;
        if (url == null) {
            return new GenerationStatus(Phase.FAILED, null, "status '" + shown + "' without a video URL", false,
                    null, shown);
        }
        return new GenerationStatus(Phase.COMPLETED, new Video(url, null, null, null), null, false, null, shown);
    }

    private GenerationStatus failed(String text) {
        String detail = failureDetail(exchange.parse(text), text);
        return new GenerationStatus(Phase.FAILED, null, detail, StatusBodies.looksLikeContentBlock(detail), null,
                "FAILED");
    }

    /** The provider's reason: "detail" as documented, or "error" / "message" as other answers carry it. */
    static String failureDetail(JsonNode body, String text) {
        String detail = null;
        if (body != null && body.isObject()) {
            for (String field : List.of("detail", "error", "message")) {
                JsonNode value = body.get(field);
                if (value != null && !value.isNull() && !(value.isTextual() && value.asText().isBlank())) {
                    detail = StatusBodies.errorMessage(value);
                    break;
                }
            }
        } else if (body != null && body.isTextual()) {
            detail = body.asText();
        } else if (text != null && !text.isBlank()) {
            detail = text.replaceAll("\\s+", " ").trim();
        }
        if (detail == null || detail.isBlank()) {
            return NO_DETAIL;
        }
        return detail.length() > MAX_DETAIL_CHARS ? detail.substring(0, MAX_DETAIL_CHARS) + "..." : detail;
    }

    /** The documented states, in any case. */
    static Phase phase(String status) {
        if (status == null) {
            return null;
        }
        return switch (status.trim().toUpperCase(Locale.ROOT)) {
            case "QUEUED" -> Phase.QUEUED;
            case "PROCESSING" -> Phase.RUNNING;
            case "COMPLETED" -> Phase.COMPLETED;
            case "FAILED" -> Phase.FAILED;
            default -> null;
        };
    }

    /**
     * The first http(s) URL of an output that may be a URL, an array of them, or an object naming it as url, video,
     * video_url or output (possibly nested).
     */
    static String videoUrl(JsonNode output) {
        return videoUrl(output, 0);
    }

    private static String videoUrl(JsonNode node, int depth) {
        if (node == null || node.isNull() || depth > MAX_URL_SEARCH_DEPTH) {
            return null;
        }
        if (node.isTextual()) {
            return isHttpUrl(node.asText()) ? node.asText().trim() : null;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                String url = videoUrl(element, depth + 1);
                if (url != null) {
                    return url;
                }
            }
            return null;
        }
        if (node.isObject()) {
            for (String field : URL_FIELDS) {
                String url = videoUrl(node.get(field), depth + 1);
                if (url != null) {
                    return url;
                }
            }
        }
        return null;
    }

    private static boolean isHttpUrl(String text) {
        if (text.length() > StatusBodies.MAX_URL_CHARS) {
            return false;
        }
        try {
            URI uri = new URI(text.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return ("http".equals(scheme) || "https".equals(scheme)) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    // ---- the URLs a response names -------------------------------------------------------------------------------

    private void warnAboutForeignUrls(String requestId, JsonNode body) {
        for (String field : FOLLOW_UP_URLS) {
            String url = StatusBodies.text(body, field);
            if (url != null && !onConfiguredHost(url)) {
                LOG.warnf("segmind named a %s on another host (%s) for request %s; ignored: polls go to %s", field,
                        shownHost(url), requestId, shownHost(config.baseUrl()));
            }
        }
    }

    /** Whether a URL the provider named points at the configured API (relative URLs do). */
    boolean onConfiguredHost(String url) {
        try {
            URI named = new URI(url.trim());
            if (named.getHost() == null && named.getScheme() == null) {
                return true;
            }
            URI base = new URI(config.baseUrl().trim());
            return named.getHost() != null && base.getHost() != null
                    && named.getHost().equalsIgnoreCase(base.getHost()) && port(named) == port(base);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }

    /** Only the host of a URL, bounded: a response's URL may be long or carry query parameters. */
    private static String shownHost(String url) {
        String host;
        try {
            URI uri = new URI(url.trim());
            host = uri.getHost() == null ? "unreadable URL"
                    : uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
        } catch (URISyntaxException e) {
            host = "unreadable URL";
        }
        return host.length() > 100 ? host.substring(0, 100) + "..." : host;
    }

    private String key() {
        // Only called for configured providers: the tracker holds jobs of a provider without a key.
        return config.apiKey().orElse("");
    }
}
