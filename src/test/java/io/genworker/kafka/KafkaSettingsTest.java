package io.genworker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.genworker.support.StubWorkerConfig;

/** Client ids carry the user's own id, the client's role and the pod; the KIP-848 protocol is recognised. */
class KafkaSettingsTest {

    @Test
    void aClientIdIsTheUsersIdTheRoleAndTheInstance() {
        assertThat(KafkaSettings.clientId(Optional.of("acme-video"), Optional.of("worker-0"), "tracker"))
                .isEqualTo("acme-video-tracker-worker-0");
        assertThat(KafkaSettings.clientId(Optional.empty(), Optional.of("worker-0"), "writer"))
                .isEqualTo("generation-worker-writer-worker-0");
        assertThat(KafkaSettings.clientId(Optional.of("  "), Optional.of(" worker-0 "), "intake"))
                .as("blank ids count as unset").isEqualTo("generation-worker-intake-worker-0");
        assertThat(KafkaSettings.clientId(Optional.empty(), Optional.of("pod 7/eu"), "reader"))
                .as("the pod part in a plain alphabet").isEqualTo("generation-worker-reader-pod-7-eu");
    }

    @Test
    void withoutAnInstanceIdThePodPartIsThisHostsOneForEveryClient() {
        String tracker = KafkaSettings.clientId(Map.of("client.id", "acme"), new StubWorkerConfig(), "tracker");
        String writer = KafkaSettings.clientId(Map.of(), new StubWorkerConfig(), "writer");

        assertThat(tracker).startsWith("acme-tracker-").hasSizeGreaterThan("acme-tracker-".length());
        assertThat(writer).startsWith("generation-worker-writer-")
                .endsWith(tracker.substring("acme-tracker-".length()));
        String host = System.getenv("HOSTNAME");
        if (host != null && host.matches("[A-Za-z0-9._-]+")) {
            assertThat(writer).isEqualTo("generation-worker-writer-" + host);
        }
    }

    @Test
    void theConsumerGroupProtocolIsRecognisedWhateverItsCase() {
        assertThat(KafkaSettings.consumerGroupProtocol(Map.of("group.protocol", "consumer"))).isTrue();
        assertThat(KafkaSettings.consumerGroupProtocol(Map.of("group.protocol", " CONSUMER "))).isTrue();
        assertThat(KafkaSettings.consumerGroupProtocol(Map.of("group.protocol", "classic"))).isFalse();
        assertThat(KafkaSettings.consumerGroupProtocol(Map.of())).isFalse();
    }
}
