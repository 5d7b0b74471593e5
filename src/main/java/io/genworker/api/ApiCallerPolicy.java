package io.genworker.api;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * The permission on every {@code /v1} path: a caller with an API role. A request without credentials fails as an
 * authentication failure rather than being denied, so that {@link ApiProblemFailures} answers it with a problem
 * body beside the challenge (a denial would end it with an empty 401); a caller without a role is denied (403).
 */
@ApplicationScoped
public class ApiCallerPolicy implements HttpSecurityPolicy {

    /** The policy's name in {@code quarkus.http.auth.permission.*.policy}. */
    public static final String NAME = "api-caller";

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext request, Uni<SecurityIdentity> identity,
            AuthorizationRequestContext requestContext) {
        return identity.onItem().transformToUni(caller -> {
            if (caller.isAnonymous()) {
                return Uni.createFrom().failure(new AuthenticationFailedException());
            }
            // Its own reading of the roles, not the augmented viewer role: identities made without augmentation
            // (tests' @TestSecurity) hold an operator role alone.
            return Uni.createFrom().item(ApiRoles.of(caller.getRoles()).isEmpty() ? CheckResult.DENY
                    : CheckResult.PERMIT);
        });
    }

    @Override
    public String name() {
        return NAME;
    }
}
