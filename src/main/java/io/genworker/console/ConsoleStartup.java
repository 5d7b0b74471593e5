package io.genworker.console;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.genworker.api.ApiConfig;
import io.genworker.index.JobSearch;
import io.quarkus.runtime.StartupEvent;

/** Says at start-up where the console is and what it lacks, never a key or a password. */
@ApplicationScoped
public class ConsoleStartup {

    private static final Logger LOG = Logger.getLogger(ConsoleStartup.class);

    void onStart(@Observes StartupEvent start, ConsoleConfig console, ApiConfig api, JobSearch search,
            @ConfigProperty(name = ConsoleSessionKey.PROPERTY) String sessionKey) {
        if (!console.enabled()) {
            LOG.info("console: off (worker.console.enabled=false)");
            return;
        }
        LOG.infof("console: /console, sign-in %s; job index %s", api.basic().enabled()
                ? "as the API's users operator and viewer" : "impossible (worker.api.basic.enabled=false)",
                search.enabled() ? "on" : "off (the console shows no jobs: worker.index.enabled=false)");
        if (sessionKey.startsWith("REPLACE_WITH")) {
            // deploy/secret.example.yaml applied as it is: anyone could forge a session with that key.
            throw new IllegalStateException("console: quarkus.http.auth.session.encryption-key is the example secret's"
                    + " placeholder; set a random one (openssl rand -base64 32)");
        }
        if (ConsoleSessionKey.madeUp(sessionKey)) {
            LOG.warn("console: no quarkus.http.auth.session.encryption-key set: sessions end when this worker"
                    + " restarts, and workers behind one address reject each other's (set the same key, 16+"
                    + " characters, on all of them)");
        }
    }
}
