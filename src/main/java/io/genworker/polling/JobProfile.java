package io.genworker.polling;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.catalogue.ModelSpec;
import io.genworker.catalogue.ParameterSpec;
import io.genworker.job.JobRecord;

/**
 * What a generation's duration depends on: jobs with the same profile share one learned distribution. Few values
 * per field (five models, four resolutions, two durations, lip-sync or not), so the number of profiles stays small.
 */
record JobProfile(String provider, String model, String resolution, int seconds, boolean lipSync) {

    /** Resolution parameter names: the AI/ML API says `resolution`, Segmind `quality`. */
    private static final List<String> RESOLUTION_FIELDS = List.of("resolution", "quality");
    private static final int DOCUMENTED_VIDEO_SECONDS = 5;

    static JobProfile of(JobRecord job, ModelCatalogue catalogue) {
        Optional<ModelSpec> spec = catalogue.find(job.model(), job.provider());
        ObjectNode input = job.input();
        String resolution = RESOLUTION_FIELDS.stream()
                .map(field -> value(input, spec, field))
                .filter(v -> v != null && !v.isBlank())
                .findFirst().orElse("default");
        String duration = value(input, spec, "duration");
        int seconds = duration == null ? DOCUMENTED_VIDEO_SECONDS : parseOr(duration, DOCUMENTED_VIDEO_SECONDS);
        boolean lipSync = input != null && (input.path("lip_sync_switch").asBoolean(false)
                || !input.path("lip_sync_tts_content").asText("").isBlank());
        return new JobProfile(job.provider(), job.model(), resolution, seconds, lipSync);
    }

    /**
     * The generation time the provider's docs give for this profile, in seconds: [fastest, slowest] typical. Docs
     * quote 5-second videos; an 8-second one is assumed to take proportionally longer (an inference, not a documented
     * figure: the learned times replace it after a few jobs). Null when the catalogue has no figure.
     */
    double[] documentedSeconds(ModelCatalogue catalogue) {
        Map<String, List<Integer>> typical = catalogue.find(model, provider)
                .map(ModelSpec::typicalSeconds).orElse(Map.of());
        if (typical == null || typical.isEmpty()) {
            return null;
        }
        List<Integer> range = lipSync && typical.containsKey("lip-sync") ? typical.get("lip-sync")
                : typical.containsKey(resolution) ? typical.get(resolution)
                : typical.containsKey("default") ? typical.get("default")
                // No figure for this resolution (360p/540p text-to-video): the fastest documented one.
                : typical.values().stream().min((a, b) -> Integer.compare(a.get(0), b.get(0))).orElseThrow();
        double scale = (double) seconds / DOCUMENTED_VIDEO_SECONDS;
        return new double[] { range.get(0) * scale, range.get(range.size() - 1) * scale };
    }

    private static String value(ObjectNode input, Optional<ModelSpec> spec, String field) {
        JsonNode given = input == null ? null : input.get(field);
        if (given != null && !given.isNull()) {
            return given.asText();
        }
        return spec.map(s -> s.parameters().get(field))
                .map(ParameterSpec::defaultValue)
                .filter(d -> !d.isNull())
                .map(JsonNode::asText)
                .orElse(null);
    }

    private static int parseOr(String text, int fallback) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
