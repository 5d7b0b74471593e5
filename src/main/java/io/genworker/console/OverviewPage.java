package io.genworker.console;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.genworker.api.ApiRoles;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;

/** The console's front page: the overview of every job the index holds. */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({ ApiRoles.VIEWER, ApiRoles.OPERATOR })
public class OverviewPage {

    private final Overviews overviews;
    private final SecurityIdentity identity;

    public OverviewPage(Overviews overviews, SecurityIdentity identity) {
        this.overviews = overviews;
        this.identity = identity;
    }

    @GET
    @Blocking
    public TemplateInstance overview(@Context RoutingContext context) {
        return ConsoleTemplates.overview(ConsolePage.of("Overview", "overview", identity, context),
                overviews.now());
    }
}
