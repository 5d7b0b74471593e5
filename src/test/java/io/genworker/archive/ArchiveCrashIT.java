package io.genworker.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.genworker.support.EmbeddedStack;
import io.genworker.support.KafkaBroker;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.S3ProxyServer;
import io.genworker.support.SimulatedVideos;
import io.genworker.support.WorkerProcess;
import io.genworker.support.WorkerTopics;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/**
 * The packaged worker, configured for a real S3 API server through environment variables only, is killed (SIGKILL)
 * while its multipart upload of a slow 12 MB video is under way. Its successor replays the job's ARCHIVING record,
 * aborts the dead worker's pending upload, downloads and stores the video again under the same key: one object, one
 * result, one provider submission.
 */
class ArchiveCrashIT {

    private static final Path HOME = Path.of("target", "archive-crash");
    private static final long SIZE = 12L * 1024 * 1024;
    private static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void aWorkerKilledMidCopyIsReplacedByOneThatCopiesAgainToTheSameKey() throws Exception {
        String id = "crash-copy-" + UUID.randomUUID();
        String prompt = Requests.prompt(id);
        try (KafkaBroker broker = KafkaBroker.start();
                ProviderSimulator simulator = ProviderSimulator.start().serveVideos()
                        .videoSize(prompt, SIZE).slowVideo(prompt, Duration.ofMillis(40));
                S3ProxyServer storage = S3ProxyServer.start(HOME.resolve("s3-" + UUID.randomUUID())
                        .toAbsolutePath(), "videos");
                S3ObjectStore observer = observe(storage);
                WorkerTopics topics = new WorkerTopics(broker.bootstrapServers())) {
            WorkerProcess first = worker("first", broker, simulator, storage).start();
            WorkerProcess second = worker("second", broker, simulator, storage);
            try {
                first.awaitReady();
                topics.sendAll(Map.of(id, Requests.segmindTransition(id).toString()));

                Awaitility.await("the first worker's upload under way").atMost(WAIT)
                        .pollInterval(Duration.ofMillis(100)).until(() -> pendingUploads(observer, id) > 0);
                first.kill();
                second.start();

                Map<String, List<JsonNode>> results = topics.committedResults(List.of(id), WAIT);
                JsonNode result = results.get(id).get(0);
                SimulatedVideos.Video served = simulator.videoOf(prompt).orElseThrow();
                String key = result.path("video").path("archive").path("key").asText();
                System.out.printf("ARCHIVE_CRASH results=%d status=%s submissions=%d downloads=%d"
                        + " pending_uploads_after=%d stored_bytes=%d%n", results.get(id).size(),
                        result.path("status").asText(), simulator.submissionsOf(prompt),
                        simulator.videoDownloadsOf(prompt), pendingUploads(observer, id),
                        Files.size(storage.objectFile("videos", key)));

                assertThat(results.get(id)).as("one result").hasSize(1);
                assertThat(result.path("status").asText()).isEqualTo("COMPLETED");
                assertThat(result.path("video").path("archive").path("sha256").asText()).isEqualTo(served.sha256());
                assertThat(simulator.submissionsOf(prompt)).as("submitted once").isEqualTo(1);
                assertThat(simulator.videoDownloadsOf(prompt)).as("downloaded by each worker").isEqualTo(2);
                assertThat(pendingUploads(observer, id)).as("the dead worker's upload aborted").isZero();
                assertThat(Files.size(storage.objectFile("videos", key))).isEqualTo(SIZE);
                try (var objects = Files.list(storage.objectFile("videos", key).getParent())) {
                    assertThat(objects).as("one object under the job's prefix").hasSize(1);
                }
            } finally {
                first.terminate();
                second.terminate();
            }
        }
    }

    private static WorkerProcess worker(String name, KafkaBroker broker, ProviderSimulator simulator,
            S3ProxyServer storage) {
        Map<String, String> env = new HashMap<>(EmbeddedStack.archivingInto(storage));
        env.put("WORKER_ARCHIVE_PART_SIZE", Integer.toString(S3Settings.MIN_PART_SIZE));
        env.put("WORKER_TRACKER_SESSION_TIMEOUT", "6s");
        return new WorkerProcess(name, broker.bootstrapServers(), simulator.baseUrl(), HOME,
                WorkerProcess.shortPolls(env));
    }

    /** A client of the test's own, to see what the worker leaves in the bucket. */
    private static S3ObjectStore observe(S3ProxyServer storage) {
        return new S3ObjectStore(new S3Settings("videos", Optional.of(storage.endpoint()), storage.region(), true,
                S3Settings.MIN_PART_SIZE, Optional.empty(), Optional.empty()),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(storage.accessKey(),
                        storage.secretKey())));
    }

    private static int pendingUploads(S3ObjectStore observer, String jobId) {
        return observer.client().listMultipartUploads(r -> r.bucket("videos").prefix("videos/" + jobId + "/"))
                .join().uploads().size();
    }
}
