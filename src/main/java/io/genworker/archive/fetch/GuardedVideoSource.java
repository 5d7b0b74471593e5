package io.genworker.archive.fetch;

import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.genworker.archive.fetch.DownloadUrlPolicy.Decision;
import io.genworker.archive.fetch.VideoFetchException.Reason;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientResponse;

/**
 * Downloads a provider's video with the Quarkus-managed Vert.x HTTP client: non-blocking, and streamed with
 * backpressure (the response's ReadStream as a Multi, fetched as the reader asks), so no thread is parked and no
 * file is held in memory. Every URL, the first and each redirect hop, is resolved, checked by
 * {@link DownloadUrlPolicy}, and requested from the very address the policy approved (the Host header and TLS SNI
 * carry the host name): a DNS answer that changes between check and connect cannot reach another address. Redirects
 * are followed here, not by the client, so that each hop is checked first.
 */
@ApplicationScoped
public class GuardedVideoSource implements VideoSource {

    private static final int MAX_PATH_IN_MESSAGES = 120;

    private final FetchConfig config;
    private final DownloadUrlPolicy policy;
    private final HostResolver resolver;
    private final HttpClient client;
    private final Consumer<RequestOptions> beforeRequest;
    private final Vertx vertx;

    @Inject
    public GuardedVideoSource(Vertx vertx, FetchConfig config, HostResolver resolver) {
        this(vertx, config, resolver, request -> {
        });
    }

    /** beforeRequest sees each request just before it is sent: tests record (and police) every connection. */
    GuardedVideoSource(Vertx vertx, FetchConfig config, HostResolver resolver, Consumer<RequestOptions> beforeRequest) {
        this(vertx, config, resolver, beforeRequest, options -> {
        });
    }

    /** tls adjusts the client's options: tests trust their own certificate authority with it. */
    GuardedVideoSource(Vertx vertx, FetchConfig config, HostResolver resolver, Consumer<RequestOptions> beforeRequest,
            Consumer<HttpClientOptions> tls) {
        this.config = config;
        this.policy = DownloadUrlPolicy.of(config);
        this.resolver = resolver;
        this.beforeRequest = beforeRequest;
        this.vertx = vertx;
        HttpClientOptions options = new HttpClientOptions()
                .setName("video-fetch")
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                // No connection idle timeout: a body the reader paused (it uploads a part to storage, which may take
                // minutes while storage throttles) is silent by design. The head and the body have their own
                // timeouts that count only while the worker waits for the provider (IdleWatch).
                // the request targets an IP address: SNI must still name the host, for shared TLS front ends
                .setForceSni(true)
                .setVerifyHost(true);
        tls.accept(options);
        this.client = vertx.createHttpClient(options);
    }

    @PreDestroy
    void close() {
        client.closeAndForget();
    }

    @Override
    public Uni<VideoStream> open(String url, String provider) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            // the unparsable URL is not quoted: it may carry a signature
            return Uni.createFrom().failure(new VideoFetchException(Reason.REFUSED_URL, false, "not a valid URL"));
        }
        return fetch(uri, provider, 0);
    }

    private Uni<VideoStream> fetch(URI uri, String provider, int hop) {
        String where = describe(uri);
        Decision pre = policy.precheck(uri, provider);
        if (!pre.allowed()) {
            return refused(where, pre);
        }
        String host = DownloadUrlPolicy.hostOf(uri);
        return resolver.resolve(host)
                .onFailure().transform(e -> e instanceof UnknownHostException
                        ? new VideoFetchException(Reason.INTERRUPTED, true, where + ": host " + host + " does not resolve")
                        : classify(e, where))
                .flatMap(addresses -> {
                    Decision decision = policy.check(uri, provider, addresses);
                    if (!decision.allowed()) {
                        return refused(where, decision);
                    }
                    return send(uri, decision)
                            .flatMap(response -> answer(uri, provider, hop, response));
                });
    }

    private static Uni<VideoStream> refused(String where, Decision decision) {
        return Uni.createFrom().failure(new VideoFetchException(Reason.REFUSED_URL, false,
                where + ": " + decision.reason()));
    }

    private Uni<HttpClientResponse> send(URI uri, Decision decision) {
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                // the approved address as a literal: an InetAddress from a lookup keeps its name, which the client
                // could resolve again
                .setServer(SocketAddress.inetSocketAddress(port, decision.address().getHostAddress()))
                .setHost(DownloadUrlPolicy.hostOf(uri))
                .setPort(port)
                .setSsl(tls)
                .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
                .setFollowRedirects(false)
                .setConnectTimeout(config.connectTimeout().toMillis())
                .putHeader("Accept", "video/*, application/octet-stream;q=0.9, */*;q=0.1");
        String where = describe(uri);
        return Uni.createFrom().deferred(() -> {
            beforeRequest.accept(options);
            return client.request(options).flatMap(request -> request.send()
                    // the response head within the idle timeout (the body is watched by IdleWatch)
                    .ifNoItem().after(config.idleTimeout()).failWith(() -> {
                        request.reset();
                        return new VideoFetchException(Reason.TIMEOUT, true, where + ": no answer for "
                                + config.idleTimeout());
                    }));
        }).onFailure().transform(e -> classify(e, where));
    }

    private Uni<VideoStream> answer(URI uri, String provider, int hop, HttpClientResponse response) {
        String where = describe(uri);
        int status = response.statusCode();
        if (status == 200) {
            return stream(where, response);
        }
        // the error page or redirect body is never read: the connection is closed instead
        discard(response);
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            String location = response.getHeader("Location");
            if (location == null) {
                return failed(Reason.HTTP_ERROR, false, where + ": redirect " + status + " without a Location");
            }
            if (hop >= config.maxRedirects()) {
                return failed(Reason.REFUSED_URL, false, where + ": more than " + config.maxRedirects()
                        + " redirects");
            }
            URI next;
            try {
                next = uri.resolve(new URI(location));
            } catch (URISyntaxException | IllegalArgumentException e) {
                return failed(Reason.HTTP_ERROR, false, where + ": redirect to an invalid URL");
            }
            return fetch(next, provider, hop + 1)
                    .onFailure(VideoFetchException.class).transform(e -> hopFailure(where, (VideoFetchException) e));
        }
        if (status == 403 || status == 404 || status == 410) {
            return failed(Reason.EXPIRED, false, where + ": HTTP " + status + " (the provider's copy is gone)");
        }
        boolean retryable = status == 408 || status == 429 || status >= 500;
        return failed(Reason.HTTP_ERROR, retryable, where + ": HTTP " + status);
    }

    private static VideoFetchException hopFailure(String from, VideoFetchException e) {
        String message = e.getMessage().substring(e.reason().name().length() + 2);
        return new VideoFetchException(e.reason(), e.retryable(), message + " (redirected from " + from + ")");
    }

    private Uni<VideoStream> stream(String where, HttpClientResponse response) {
        // paused until the reader subscribes: nothing is buffered beyond what the reader asked for
        response.pause();
        String length = response.getHeader("Content-Length");
        long announced;
        try {
            announced = length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            discard(response);
            return failed(Reason.HTTP_ERROR, false, where + ": unreadable Content-Length");
        }
        long max = config.maxBytes();
        if (announced > max) {
            discard(response);
            return failed(Reason.TOO_LARGE, false, where + ": Content-Length " + announced + " over the limit of "
                    + max + " bytes");
        }
        String type = response.getHeader("Content-Type");
        // a failure before the reader subscribes (connection cut, idle timeout) ends the response: kept for the reader
        AtomicReference<Throwable> early = new AtomicReference<>();
        response.exceptionHandler(early::set);
        Multi<Buffer> body = Multi.createFrom().deferred(() -> {
            AtomicLong received = new AtomicLong();
            Multi<Buffer> chunks;
            try {
                chunks = early.get() == null ? response.toMulti() : Multi.createFrom().failure(early.get());
            } catch (IllegalStateException ended) {
                chunks = Multi.createFrom().failure(early.get() == null ? ended : early.get());
            }
            // Closing the connection fails the body through its own handlers (discard() would silence them).
            IdleWatch idle = new IdleWatch(vertx, config.idleTimeout(), () -> close(response));
            return idle.watch(chunks, () -> new VideoFetchException(Reason.TIMEOUT, true, where + ": no bytes for "
                            + config.idleTimeout() + " while asked for, after " + received.get() + " bytes"))
                    .onItem().invoke(chunk -> {
                        long total = received.addAndGet(chunk.length());
                        if (total > max) {
                            throw new VideoFetchException(Reason.TOO_LARGE, false, where + ": body over the limit of "
                                    + max + " bytes");
                        }
                        if (announced >= 0 && total > announced) {
                            throw new VideoFetchException(Reason.LENGTH_MISMATCH, true, where + ": body longer than"
                                    + " its Content-Length " + announced);
                        }
                    })
                    .onCompletion().call(() -> announced < 0 || received.get() == announced
                            ? Uni.createFrom().voidItem()
                            : Uni.createFrom().failure(new VideoFetchException(Reason.LENGTH_MISMATCH, true,
                                    where + ": body ended at " + received.get() + " of " + announced + " bytes")))
                    .onFailure().transform(e -> classify(e, where + " after " + received.get() + " of "
                            + (announced < 0 ? "unknown" : announced) + " bytes"))
                    .onTermination().invoke((failure, cancelled) -> {
                        if (failure != null || cancelled) {
                            discard(response);
                        }
                    });
        });
        return Uni.createFrom().item(new VideoStream(announced, type == null ? "application/octet-stream" : type,
                body));
    }

    private static void close(HttpClientResponse response) {
        try {
            response.request().reset();
        } catch (IllegalStateException alreadyEnded) {
            // the body ended meanwhile
        }
    }

    /** Closes the connection rather than reading an unwanted body; the reset's own report is expected, not logged. */
    private static void discard(HttpClientResponse response) {
        try {
            response.exceptionHandler(ignored -> {
            });
            response.request().reset();
        } catch (IllegalStateException alreadyEnded) {
            // nothing left to discard
        }
    }

    private static <T> Uni<T> failed(Reason reason, boolean retryable, String message) {
        return Uni.createFrom().failure(new VideoFetchException(reason, retryable, message));
    }

    /** Client failures by kind; only the exception's class is kept, never its message (it may quote the URI). */
    static VideoFetchException classify(Throwable e, String where) {
        if (e instanceof VideoFetchException fetch) {
            return fetch;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String kind = " (" + cause.getClass().getSimpleName() + ")";
            if (cause instanceof TimeoutException || cause instanceof io.netty.channel.ConnectTimeoutException) {
                return new VideoFetchException(Reason.TIMEOUT, true, where + ": timed out" + kind);
            }
            if (cause instanceof SSLException) {
                return new VideoFetchException(Reason.HTTP_ERROR, false, where + ": TLS failed" + kind);
            }
            if (cause instanceof ConnectException) {
                return new VideoFetchException(Reason.INTERRUPTED, true, where + ": cannot connect" + kind);
            }
        }
        return new VideoFetchException(Reason.INTERRUPTED, true, where + ": connection failed or closed ("
                + e.getClass().getSimpleName() + ")");
    }

    /** scheme://host[:port]/path, without user info, query or fragment (where presigned URLs keep signatures). */
    static String describe(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.length() > MAX_PATH_IN_MESSAGES) {
            path = path.substring(0, MAX_PATH_IN_MESSAGES) + "...";
        }
        String host = uri.getHost() == null ? "" : uri.getHost();
        String scheme = uri.getScheme() == null ? "(relative)" : uri.getScheme();
        return scheme + "://" + host + (uri.getPort() == -1 ? "" : ":" + uri.getPort()) + path;
    }
}
