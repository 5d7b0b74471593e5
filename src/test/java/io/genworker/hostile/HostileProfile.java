package io.genworker.hostile;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * One worker for the hostile suites: provider calls logged in full (headers and bodies, as an operator debugging
 * a provider would turn on), everything written to a log file the secret scan reads, and a client timeout short
 * enough that a slow provider answer is a timeout within a test.
 */
public class HostileProfile implements QuarkusTestProfile {

    /** This JVM's log file: a fresh one per run, so the scan sees only what this worker wrote. */
    static final String LOG_FILE = "target/hostile/worker-" + ProcessHandle.current().pid() + ".log";

    /** The providers' read timeout in this profile; the simulator's slow answers take longer. */
    static final int CLIENT_TIMEOUT_MILLIS = 1500;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("quarkus.rest-client.logging.scope", "request-response"),
                Map.entry("quarkus.rest-client.logging.body-limit", "4096"),
                Map.entry("quarkus.log.category.\"org.jboss.resteasy.reactive.client.logging\".level", "DEBUG"),
                Map.entry("quarkus.log.category.\"io.genworker\".level", "DEBUG"),
                Map.entry("quarkus.log.file.enabled", "true"),
                Map.entry("quarkus.log.file.path", LOG_FILE),
                Map.entry("quarkus.rest-client.aimlapi.read-timeout", Integer.toString(CLIENT_TIMEOUT_MILLIS)),
                Map.entry("quarkus.rest-client.segmind.read-timeout", Integer.toString(CLIENT_TIMEOUT_MILLIS)));
    }
}
