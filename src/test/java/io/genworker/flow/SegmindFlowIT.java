package io.genworker.flow;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The Segmind flow against the packaged jar (target/quarkus-app/quarkus-run.jar), as users run it. */
@QuarkusIntegrationTest
class SegmindFlowIT extends SegmindFlowTest {
}
