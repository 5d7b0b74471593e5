package io.genworker.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The hostile requests of {@code src/test/resources/hostile/requests}: each case's record (key and value bytes) and
 * the outcome its entry in {@code cases.json} declares. Public so that the reader's own test feeds the same corpus
 * to {@code RequestReader} without a broker.
 */
public final class HostileCorpus {

    private static final String DIRECTORY = "/hostile/requests/";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a refused request's result is published: under which id. */
    public enum AnsweredAs {
        KEY,
        JOB_ID,
        FALLBACK
    }

    /** An expected FAILED result: its code, and a detail whose field and rule start with these. */
    public record Refusal(String code, String field, String rule) {
    }

    /**
     * One hostile request, built for this run: its own fresh job id, so runs and cases never collide.
     *
     * @param dlqReason a part of the expected dead-letter reason, or null when a FAILED result is expected
     */
    public record Case(String name, String jobId, String key, byte[] value, String dlqReason, Refusal refusal,
            AnsweredAs answeredAs) {

        public boolean deadLetter() {
            return dlqReason != null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private HostileCorpus() {
    }

    public static List<Case> load() {
        JsonNode index = read("cases.json", JSON::readTree);
        List<Case> cases = new ArrayList<>();
        for (JsonNode entry : index.path("cases")) {
            cases.add(build(entry));
        }
        return cases;
    }

    private static Case build(JsonNode entry) {
        String name = entry.path("name").asText();
        String jobId = "hostile-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
        String key = entry.has("key")
                ? (entry.get("key").isNull() ? null : generated(entry, entry.get("key").asText(), jobId))
                : jobId;
        byte[] value = entry.path("tombstone").asBoolean() ? null : value(entry, jobId);
        JsonNode failed = entry.get("failed");
        Refusal refusal = failed == null ? null
                : new Refusal(failed.path("code").asText(), failed.path("field").asText(),
                        failed.path("rule").asText());
        AnsweredAs answeredAs = switch (entry.path("answeredAs").asText("key")) {
            case "jobId" -> AnsweredAs.JOB_ID;
            case "fallback" -> AnsweredAs.FALLBACK;
            default -> AnsweredAs.KEY;
        };
        return new Case(name, jobId, key, value, entry.hasNonNull("dlq") ? entry.get("dlq").asText() : null, refusal,
                answeredAs);
    }

    /** .bin files are sent as they are; .json files as UTF-8 text with the job id and generated parts filled in. */
    private static byte[] value(JsonNode entry, String jobId) {
        String file = entry.path("file").asText();
        byte[] bytes = read(file, InputStream::readAllBytes);
        if (file.endsWith(".bin")) {
            return bytes;
        }
        return generated(entry, new String(bytes, StandardCharsets.UTF_8), jobId).getBytes(StandardCharsets.UTF_8);
    }

    /** The text with the job id and the entry's generated placeholders filled in. */
    private static String generated(JsonNode entry, String text, String jobId) {
        String filled = text.replace("${jobId}", jobId);
        for (Iterator<Map.Entry<String, JsonNode>> it = entry.path("generate").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> placeholder = it.next();
            filled = filled.replace(placeholder.getKey(), generate(placeholder.getValue().path("pattern").asText(),
                    placeholder.getValue().path("times").asInt()));
        }
        return filled;
    }

    private static String generate(String pattern, int times) {
        StringBuilder out = new StringBuilder(pattern.length() * times);
        boolean indexed = pattern.contains("%d");
        for (int i = 0; i < times; i++) {
            out.append(indexed ? pattern.replace("%d", Integer.toString(i)) : pattern);
        }
        return out.toString();
    }

    private interface Reader<T> {
        T read(InputStream in) throws IOException;
    }

    private static <T> T read(String file, Reader<T> reader) {
        try (InputStream in = HostileCorpus.class.getResourceAsStream(DIRECTORY + file)) {
            if (in == null) {
                throw new IllegalStateException("missing corpus file " + DIRECTORY + file);
            }
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
