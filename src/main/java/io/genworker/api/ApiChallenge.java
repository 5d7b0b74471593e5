package io.genworker.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code WWW-Authenticate} challenges of a 401: one per mechanism the worker is configured to take, so that a
 * client is never invited to try Basic on a worker that refuses it (security's own challenge would name a mechanism
 * whether it is configured or not). With none configured the answer still names Bearer: a 401 must challenge.
 */
final class ApiChallenge {

    static final String HEADER = "WWW-Authenticate";
    static final String REALM = "generation-worker";

    private ApiChallenge() {
    }

    /** What a 401 problem tells the caller to send. */
    static String detail(ApiConfig config) {
        return config.basic().enabled() ? "Send a bearer token or the API's Basic credentials" : "Send a bearer token";
    }

    static List<String> of(ApiConfig config) {
        List<String> challenges = new ArrayList<>();
        if (config.jwt().publicKeyLocation().isPresent() || !config.basic().enabled()) {
            challenges.add("Bearer realm=\"" + REALM + "\"");
        }
        if (config.basic().enabled()) {
            challenges.add("Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        }
        return challenges;
    }
}
