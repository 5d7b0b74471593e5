package io.genworker.console;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.genworker.api.ApiConfig;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.vertx.http.runtime.security.FormAuthenticationMechanism;
import io.vertx.ext.web.RoutingContext;

/**
 * Signing in and out. The form posts to the form mechanism ({@code /console/j_security_check}), which checks the
 * API's users and sets the session cookie; signing out drops it.
 */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class LoginPage {

    private final ApiConfig api;

    public LoginPage(ApiConfig api) {
        this.api = api;
    }

    @GET
    @Path("login")
    @PermitAll
    public TemplateInstance login(@QueryParam("error") String error) {
        return ConsoleTemplates.login(error != null, api.enabled() && api.basic().enabled());
    }

    /** Signs out (a POST, so it carries the CSRF token like every action); htmx follows HX-Redirect. */
    @POST
    @Path("logout")
    @PermitAll
    public Response logout(@Context RoutingContext context) {
        FormAuthenticationMechanism.logout(context);
        return Response.noContent().header("HX-Redirect", "/console/login").build();
    }
}
