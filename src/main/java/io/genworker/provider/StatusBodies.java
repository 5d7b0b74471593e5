package io.genworker.provider;

import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.job.Video;

/** Small readers for provider JSON shared by the adapters. */
public final class StatusBodies {

    private static final Pattern CONTENT_BLOCK = Pattern.compile(
            "moderation|safety|content.?policy|nsfw|inappropriate|\\brai\\b|blocked|sensitive", Pattern.CASE_INSENSITIVE);

    /** A provider's failure message goes into the result: a provider sending megabytes must not stop the result. */
    static final int MAX_MESSAGE_CHARS = 1000;
    /** Longer ids and URLs are not taken from a provider: they would not fit the job log or the result. */
    public static final int MAX_ID_CHARS = 256;
    public static final int MAX_URL_CHARS = 16384;

    private StatusBodies() {
    }

    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    public static Double number(JsonNode node) {
        return node != null && node.isNumber() ? node.doubleValue() : null;
    }

    /** A video object ({url, content_type, file_name, file_size}) or a bare URL string; null without a usable URL. */
    public static Video video(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText().length() > MAX_URL_CHARS ? null : new Video(node.asText(), null, null, null);
        }
        String url = text(node, "url");
        if (url == null || url.length() > MAX_URL_CHARS) {
            return null;
        }
        JsonNode size = node.get("file_size");
        return new Video(url, text(node, "content_type"), text(node, "file_name"),
                size != null && size.canConvertToLong() ? size.longValue() : null);
    }

    /**
     * A provider's error as one line: "name: message", either part alone, or a fixed text when both are absent; at
     * most {@value #MAX_MESSAGE_CHARS} characters.
     */
    public static String errorMessage(JsonNode error) {
        String message = fullErrorMessage(error);
        return message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message;
    }

    private static String fullErrorMessage(JsonNode error) {
        if (error == null || error.isNull()) {
            return "generation failed without detail";
        }
        if (error.isTextual()) {
            return error.asText();
        }
        String name = text(error, "name");
        String message = text(error, "message");
        if (message == null) {
            message = text(error, "detail");
        }
        if (name == null && message == null) {
            return "generation failed without detail";
        }
        return name == null ? message : message == null ? name : name + ": " + message;
    }

    /** Providers report safety blocks as ordinary failures; the wording is the only tell. */
    public static boolean looksLikeContentBlock(String message) {
        return message != null && CONTENT_BLOCK.matcher(message.toLowerCase(Locale.ROOT)).find();
    }
}
