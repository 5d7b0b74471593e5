package io.genworker.intake;

import static io.genworker.support.ModelIds.IMAGE_TO_VIDEO;
import static io.genworker.support.ModelIds.SEGMIND_V4;
import static io.genworker.support.ModelIds.SEGMIND_V5;
import static io.genworker.support.ModelIds.TEXT_TO_VIDEO;
import static io.genworker.support.ModelIds.TRANSITION;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A valid {@code input} for each catalogue model, for the intake tests to break one rule at a time. */
final class ModelInputs {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String FIRST_IMAGE = "https://example.com/first.png";
    static final String LAST_IMAGE = "https://example.com/last.png";

    private ModelInputs() {
    }

    static ObjectNode of(String model) {
        return switch (model) {
            case TEXT_TO_VIDEO -> NODES.objectNode().put("prompt", "A dragon over mountains").put("resolution", "720p")
                    .put("duration", 5);
            case IMAGE_TO_VIDEO -> NODES.objectNode().put("prompt", "The dragon takes off")
                    .put("image_url", FIRST_IMAGE);
            case TRANSITION -> NODES.objectNode().put("prompt", "From dawn to dusk").put("image_url", FIRST_IMAGE)
                    .put("tail_image_url", LAST_IMAGE);
            case SEGMIND_V5 -> NODES.objectNode().put("prompt", "From dawn to dusk")
                    .put("first_frame_url", FIRST_IMAGE).put("last_frame_url", LAST_IMAGE);
            case SEGMIND_V4 -> NODES.objectNode().put("prompt", "From dawn to dusk")
                    .put("first_frame_url", FIRST_IMAGE).put("last_frame_url", LAST_IMAGE).put("duration", 5)
                    .put("quality", "720p").put("motion_mode", "normal");
            default -> throw new IllegalArgumentException("no input for " + model);
        };
    }

    /** A request envelope for the model around its valid input. */
    static ObjectNode request(String jobId, String model) {
        ObjectNode request = NODES.objectNode().put("jobId", jobId).put("model", model);
        request.set("input", of(model));
        return request;
    }
}
