package io.genworker.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds request values for tests; prompts carry the job id so the simulator can count submissions per job. */
public final class Requests {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String IMAGE = "https://example.com/first.png";
    public static final String TAIL_IMAGE = "https://example.com/last.png";

    private Requests() {
    }

    public static String prompt(String jobId) {
        return "A dragon over mountains, job " + jobId;
    }

    public static ObjectNode textToVideo(String jobId) {
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", jobId).put("model", "pixverse/v5/text-to-video");
        request.putObject("input").put("prompt", prompt(jobId)).put("resolution", "720p").put("duration", 5);
        request.putObject("metadata").put("tenant", "test");
        return request;
    }

    public static ObjectNode imageToVideo(String jobId) {
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", jobId).put("model", "pixverse/v5/image-to-video");
        request.putObject("input").put("prompt", prompt(jobId)).put("image_url", IMAGE);
        return request;
    }

    public static ObjectNode transition(String jobId) {
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", jobId).put("model", "pixverse/v5/transition");
        request.putObject("input").put("prompt", prompt(jobId)).put("image_url", IMAGE)
                .put("tail_image_url", TAIL_IMAGE);
        return request;
    }

    /**
     * Segmind's PixVerse 5 transition with only what the catalogue requires plus both frames: duration, quality and
     * motion_mode (required by Segmind's page, with defaults) are left for the adapter to fill in.
     */
    public static ObjectNode segmindTransition(String jobId) {
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", jobId).put("model", "pixverse-5-transition");
        request.putObject("input").put("prompt", prompt(jobId)).put("first_frame_url", IMAGE)
                .put("last_frame_url", TAIL_IMAGE);
        request.putObject("metadata").put("tenant", "test");
        return request;
    }

    /** Segmind's PixVerse v4 transition: every parameter its page marks required. */
    public static ObjectNode segmindTransitionV4(String jobId) {
        ObjectNode request = JSON.createObjectNode();
        request.put("jobId", jobId).put("model", "pixverse-transition");
        request.putObject("input").put("prompt", prompt(jobId)).put("first_frame_url", IMAGE)
                .put("last_frame_url", TAIL_IMAGE).put("duration", 5).put("quality", "720p")
                .put("motion_mode", "normal");
        return request;
    }

    /** A request of one of the three AI/ML API models, chosen by index. */
    public static ObjectNode anyModel(String jobId, int index) {
        return switch (index % 3) {
            case 0 -> textToVideo(jobId);
            case 1 -> imageToVideo(jobId);
            default -> transition(jobId);
        };
    }
}
