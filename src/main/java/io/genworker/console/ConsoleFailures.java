package io.genworker.console;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * How the console answers a browser that is not allowed in: no session (or a wrong password) goes to the login page,
 * as a redirect a page follows and, for htmx's requests, as {@code HX-Redirect} so a fragment never shows a login
 * form; a role that does not allow the action gets a plain 403. The API's problem details stay the API's.
 */
@ApplicationScoped
public class ConsoleFailures {

    static final String LOGIN = "/console/login";

    void install(@Observes Router router) {
        // Right after the API's own failure handler, which leaves console paths alone.
        router.route("/console/*").order(Integer.MIN_VALUE + 1).failureHandler(this::handle);
        router.route("/console").order(Integer.MIN_VALUE + 1).failureHandler(this::handle);
    }

    void handle(RoutingContext context) {
        HttpServerResponse response = context.response();
        if (response.ended() || response.headWritten()) {
            context.next();
            return;
        }
        Throwable failure = context.failure();
        boolean unauthenticated = failure instanceof AuthenticationFailedException
                || failure instanceof UnauthorizedException || context.statusCode() == 401;
        if (unauthenticated) {
            String target = ConsoleGuard.LOGIN_POST.equals(context.request().path()) ? LOGIN + "?error=true" : LOGIN;
            response.headers().remove("WWW-Authenticate");
            response.setStatusCode(302).putHeader("Location", target).putHeader("HX-Redirect", target).end();
            return;
        }
        if (failure instanceof ForbiddenException || context.statusCode() == 403) {
            response.setStatusCode(403).putHeader("Content-Type", "text/plain; charset=UTF-8")
                    .end("Refused: your role does not allow this");
            return;
        }
        context.next();
    }
}
