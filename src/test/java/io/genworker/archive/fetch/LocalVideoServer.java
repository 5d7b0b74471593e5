package io.genworker.archive.fetch;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.genworker.support.SimulatedVideos;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/**
 * Loopback servers for GuardedVideoSource's unit tests, counting every connection they accept: an HTTP server
 * (videos by size, chunked bodies, statuses, redirects, silence) and a raw one whose Content-Length lies.
 */
final class LocalVideoServer implements AutoCloseable {

    static final long SEED = 13;
    private static final int PIECE = 16 * 1024;

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer http;
    private final NetServer raw;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    LocalVideoServer() {
        http = vertx.createHttpServer().connectionHandler(c -> connections.incrementAndGet()).requestHandler(this::serve);
        raw = vertx.createNetServer().connectHandler(this::lie);
        try {
            http.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            raw.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the local video servers", e);
        }
    }

    int port() {
        return http.actualPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    String rawUrl(String path) {
        return "http://127.0.0.1:" + raw.actualPort() + path;
    }

    int connections() {
        return connections.get();
    }

    /** "Host-header path" of every HTTP request. */
    List<String> requests() {
        return requests;
    }

    private void serve(HttpServerRequest request) {
        requests.add(request.getHeader("Host") + " " + request.path());
        String[] parts = request.path().split("/");
        String kind = parts.length > 1 ? parts[1] : "";
        String arg = parts.length > 2 ? parts[2] : "";
        var response = request.response();
        switch (kind) {
            case "video" -> {
                int size = Integer.parseInt(arg);
                response.putHeader("Content-Type", "video/mp4")
                        .end(Buffer.buffer(SimulatedVideos.bytes(SEED, 0, size)));
            }
            case "chunked" -> {
                int size = Integer.parseInt(arg);
                response.setChunked(true).putHeader("Content-Type", "video/mp4");
                for (int offset = 0; offset < size; offset += PIECE) {
                    response.write(Buffer.buffer(SimulatedVideos.bytes(SEED, offset, Math.min(PIECE, size - offset))));
                }
                response.end();
            }
            case "status" -> response.setStatusCode(Integer.parseInt(arg)).end("status " + arg);
            case "redirect" -> response.setStatusCode(302).putHeader("Location", request.getParam("to")).end();
            case "loop" -> response.setStatusCode(307).putHeader("Location", "/loop").end();
            case "silent" -> {
                // never answers
            }
            default -> response.setStatusCode(404).end();
        }
    }

    /** GET /short: announces 5000 bytes, sends 1000, closes. GET /long: announces 1000, sends 5000. */
    private void lie(NetSocket socket) {
        connections.incrementAndGet();
        socket.handler(data -> {
            String head = data.toString(StandardCharsets.ISO_8859_1);
            boolean shortBody = head.startsWith("GET /short");
            int announced = shortBody ? 5000 : 1000;
            int sent = shortBody ? 1000 : 5000;
            socket.write(Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: " + announced
                    + "\r\n\r\n").appendBytes(SimulatedVideos.bytes(SEED, 0, sent)));
            socket.close();
        });
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
