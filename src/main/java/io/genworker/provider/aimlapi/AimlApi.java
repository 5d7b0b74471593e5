package io.genworker.provider.aimlapi;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** The AI/ML API's universal video endpoint, as documented. Bodies stay raw so the adapter reads them leniently. */
@RegisterRestClient(configKey = "aimlapi")
@Path("/v2/video/generations")
interface AimlApi {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> create(@HeaderParam("Authorization") String authorization, String body);

    /** Ids look like "uuid:pixverse/v5/text-to-video": the client encodes the query parameter. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> get(@HeaderParam("Authorization") String authorization,
            @QueryParam("generation_id") String generationId);
}
