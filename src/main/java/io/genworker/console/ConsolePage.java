package io.genworker.console;

import io.genworker.api.ApiActions;
import io.genworker.api.ApiRoles;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;

/**
 * What every console page shows around its content: who is signed in, whether they may act, and the CSRF token the
 * page sends back with every action.
 */
public record ConsolePage(String title, String section, String user, boolean operator, String csrf) {

    static ConsolePage of(String title, String section, SecurityIdentity identity, RoutingContext context) {
        return new ConsolePage(title, section, ApiActions.caller(identity), isOperator(identity), token(context));
    }

    static boolean isOperator(SecurityIdentity identity) {
        return identity.hasRole(ApiRoles.OPERATOR);
    }

    /** The token {@link ConsoleGuard} found or handed out for this browser. */
    static String token(RoutingContext context) {
        String token = context.get(ConsoleGuard.TOKEN);
        return token == null ? "" : token;
    }
}
