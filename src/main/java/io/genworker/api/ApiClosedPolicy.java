package io.genworker.api;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * The permission on every path that is neither the API nor health and metrics: nobody. Without credentials the
 * answer is a 401 problem (as on the API: see {@link ApiCallerPolicy}), with them a 403.
 */
@ApplicationScoped
public class ApiClosedPolicy implements HttpSecurityPolicy {

    public static final String NAME = "closed";

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext request, Uni<SecurityIdentity> identity,
            AuthorizationRequestContext requestContext) {
        return identity.onItem().transformToUni(caller -> caller.isAnonymous()
                ? Uni.createFrom().failure(new AuthenticationFailedException())
                : Uni.createFrom().item(CheckResult.DENY));
    }

    @Override
    public String name() {
        return NAME;
    }
}
