package io.genworker.flow;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** Trace context propagation against the packaged jar. */
@QuarkusIntegrationTest
class TraceContextFlowIT extends TraceContextFlowTest {
}
