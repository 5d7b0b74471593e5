package io.genworker.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sends one request file to a running worker's broker and prints its result. The broker is the embedded stack's
 * unless {@code -Dbootstrap=host:port} says otherwise; the job id is the file's, or a fresh one.
 */
public final class SendRequest {

    private SendRequest() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(System.getProperty("request", "samples/text-to-video.json"));
        String bootstrap = System.getProperty("bootstrap");
        if (bootstrap == null) {
            bootstrap = Files.readString(EmbeddedStack.STATE.resolve("bootstrap.servers")).trim();
        }
        ObjectNode request = (ObjectNode) new ObjectMapper().readTree(file.toFile());
        String jobId = request.hasNonNull("jobId") ? request.get("jobId").asText() : "sample-" + UUID.randomUUID();
        request.put("jobId", jobId);
        try (WorkerTopics topics = new WorkerTopics(bootstrap)) {
            topics.send(jobId, request.toString());
            System.out.println("sent " + jobId + " to " + bootstrap + ", waiting for its result...");
            System.out.println(topics.awaitResult(jobId, Duration.ofMinutes(30)).toPrettyString());
        }
    }
}
