package io.genworker.provider.segmind;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/**
 * Segmind's asynchronous (v2) serverless API, as documented: submit, poll the status, fetch the result. Every URL is
 * built here against the configured base URL; the URLs a response names are never followed. Bodies stay raw so the
 * adapter reads them leniently.
 */
@RegisterRestClient(configKey = "segmind")
@Path("/v2")
interface SegmindApi {

    /** Returns {request_id, status: QUEUED, status_url, response_url}. */
    @POST
    @Path("/{model}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> submit(@HeaderParam("x-api-key") String apiKey, @PathParam("model") String model, String body);

    /** QUEUED, PROCESSING, COMPLETED (200) or FAILED (served as HTTP 422, detail in the body); 404 once expired. */
    @GET
    @Path("/requests/{id}/status")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> status(@HeaderParam("x-api-key") String apiKey, @PathParam("id") String requestId);

    /** The final response body of a COMPLETED request: {status, metrics, output, ...}. */
    @GET
    @Path("/requests/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> result(@HeaderParam("x-api-key") String apiKey, @PathParam("id") String requestId);
}
