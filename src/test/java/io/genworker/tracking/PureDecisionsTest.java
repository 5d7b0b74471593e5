package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tracker's decisions stay plain Java: no Vert.x, no Kafka, so they are tested as tables and sequences without
 * a broker or an event loop. Read from the sources, so a fully qualified name counts as much as an import.
 */
class PureDecisionsTest {

    private static final List<String> EFFECTFUL = List.of("io.vertx", "org.apache.kafka", "io.smallrye.mutiny",
            "jakarta.enterprise");

    @ParameterizedTest
    @ValueSource(strings = { "tracking/FailurePolicy", "tracking/Reaction", "tracking/ErrorStreak",
            "tracking/PartitionReplay", "job/Deadlines", "polling/PollPolicy",
        "joblog/RecordSchema" })
    void aDecisionClassNamesNoEventLoopNorBroker(String name) throws IOException {
        String source = Files.readString(Path.of("src/main/java/io/genworker", name + ".java"));

        for (String forbidden : EFFECTFUL) {
            assertThat(source).as("%s mentions %s", name, forbidden).doesNotContain(forbidden);
        }
    }
}
