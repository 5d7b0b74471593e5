package io.genworker.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * A server on another port that answers every request as a finished Segmind request would, and remembers it: named
 * as Segmind's status_url/response_url, it shows a worker that follows foreign URLs in its hits.
 */
final class SimulatorDecoy {

    private final HttpServer server;
    private final List<String> hits = new CopyOnWriteArrayList<>();

    private SimulatorDecoy(Vertx vertx) {
        this.server = vertx.createHttpServer().requestHandler(request -> {
            hits.add(request.method() + " " + request.uri());
            request.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                    .end("{\"status\":\"COMPLETED\",\"output\":\"https://decoy.example/x.mp4\"}");
        });
    }

    static SimulatorDecoy start(Vertx vertx) {
        SimulatorDecoy decoy = new SimulatorDecoy(vertx);
        try {
            decoy.server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the decoy server", e);
        }
        return decoy;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    List<String> hits() {
        return hits;
    }
}
