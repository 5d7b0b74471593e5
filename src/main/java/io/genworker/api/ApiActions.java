package io.genworker.api;

import io.genworker.index.JobSearch;
import io.quarkus.security.identity.SecurityIdentity;

/** What the API's write and action endpoints share: who calls, and the problems of a missing index or broker. */
public final class ApiActions {

    private ApiActions() {
    }

    /** The caller's name, as logs and cancel commands carry it. */
    public static String caller(SecurityIdentity identity) {
        return identity.getPrincipal() == null ? "anonymous" : identity.getPrincipal().getName();
    }

    /** @throws IndexProblem (503) when the job index is off */
    static void requireIndex(JobSearch search) {
        if (!search.enabled()) {
            throw IndexProblem.disabled();
        }
    }

    /** Commands the broker did not acknowledge in time: each is safe to send again. */
    static ApiProblemException brokerDown(String path) {
        return new ApiProblemException(ApiProblem.of(ApiProblem.Kind.BROKER_UNAVAILABLE,
                "Some commands may not have been written: the same call is safe to send again", path));
    }
}
