package io.genworker.provider;

import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.job.Video;

/** Small readers for provider JSON shared by the adapters. */
public final class StatusBodies {

    private static final Pattern CONTENT_BLOCK = Pattern.compile(
            "moderation|safety|content.?policy|nsfw|inappropriate|\\brai\\b|blocked|sensitive", Pattern.CASE_INSENSITIVE);

    private StatusBodies() {
    }

    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    public static Double number(JsonNode node) {
        return node != null && node.isNumber() ? node.doubleValue() : null;
    }

    /** A video object ({url, content_type, file_name, file_size}) or a bare URL string. */
    public static Video video(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return new Video(node.asText(), null, null, null);
        }
        String url = text(node, "url");
        if (url == null) {
            return null;
        }
        JsonNode size = node.get("file_size");
        return new Video(url, text(node, "content_type"), text(node, "file_name"),
                size != null && size.canConvertToLong() ? size.longValue() : null);
    }

    /** A provider's error as one line: "name: message", either part alone, or a fixed text when both are absent. */
    public static String errorMessage(JsonNode error) {
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
