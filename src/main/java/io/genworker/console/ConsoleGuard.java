package io.genworker.console;

import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * What every {@code /console} exchange passes before anything else: 404 when the console is off, the security headers
 * on every answer, the browser's CSRF cookie handed out on its first visit, and every unsafe request without the
 * matching token refused with 403 ({@link CsrfCheck}). The form login's own post is left to the form mechanism.
 */
@ApplicationScoped
public class ConsoleGuard {

    /** The routing-context key under which pages find the browser's CSRF token. */
    public static final String TOKEN = "genworker.console.csrf";
    static final String LOGIN_POST = "/console/j_security_check";
    static final String ASSETS = "/console/assets/";
    /** quarkus.http.auth.form.location-cookie */
    static final String LOCATION_COOKIE = "genworker-console-location";
    static final String STREAM = "/console/table/stream";
    private static final Logger LOG = Logger.getLogger(ConsoleGuard.class);

    private final ConsoleConfig config;
    private final String policy;

    @Inject
    public ConsoleGuard(ConsoleConfig config, WorkerConfig worker) {
        this.config = config;
        Set<String> media = ConsoleHeaders.mediaOrigins(worker.archive(), config.mediaOrigins());
        this.policy = ConsoleHeaders.contentSecurityPolicy(media);
    }

    void install(@Observes Router router) {
        router.route("/console").order(Integer.MIN_VALUE).handler(this::handle);
        router.route("/console/*").order(Integer.MIN_VALUE).handler(this::handle);
    }

    void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (LOGIN_POST.equals(request.path())) {
            // Signing in always lands on the overview: the location the form mechanism remembered is the last one a
            // signed-out browser asked for, which may be a fragment or the live table's event stream. Dropped from
            // the header before anything reads the request's cookies.
            // (Not also expired in the browser here: Vert.x's cookie jar would hand that empty cookie to the form
            // mechanism as the location, and it refuses the sign-in.)
            dropCookie(request, LOCATION_COOKIE);
        }
        if (!config.enabled()) {
            context.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("Not Found");
            return;
        }
        context.response().headers()
                .set("Content-Security-Policy", policy)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer")
                .set("X-Frame-Options", "DENY");
        if (!request.path().startsWith(ASSETS)) {
            context.response().headers().set("Cache-Control", "no-store");
        }
        if (request.path().startsWith(STREAM)) {
            // A proxy that buffers answers (nginx does by default) would hold the live table's events back.
            context.response().headers().set("X-Accel-Buffering", "no");
        }
        Cookie cookie = request.getCookie(CsrfCheck.COOKIE);
        // A cookie that is not a token this guard made (one set by a sibling domain, say) is replaced, never echoed.
        String token = cookie == null || !CsrfCheck.wellFormed(cookie.getValue()) ? null : cookie.getValue();
        if (CsrfCheck.unsafe(request.method().name()) && !LOGIN_POST.equals(request.path())) {
            // The authority, not the Host header: HTTP/2 sends :authority, and a proxy's X-Forwarded-Host counts
            // when quarkus.http.proxy forwarding is on.
            HostAndPort self = request.authority();
            String authority = self == null ? null : self.host() + (self.port() < 0 ? "" : ":" + self.port());
            Optional<String> refusal = CsrfCheck.refusal(request.getHeader(CsrfCheck.HEADER), token,
                    request.getHeader("Sec-Fetch-Site"), request.getHeader("Origin"), authority);
            if (refusal.isPresent()) {
                LOG.infof("console: %s %s refused: %s", request.method(), request.path(), refusal.get());
                context.response().setStatusCode(403).putHeader("Content-Type", "text/plain; charset=UTF-8")
                        .end("Refused: " + refusal.get());
                return;
            }
        }
        if (token == null) {
            token = CsrfCheck.newToken();
            context.response().addCookie(Cookie.cookie(CsrfCheck.COOKIE, token).setPath("/console").setHttpOnly(true)
                    .setSameSite(CookieSameSite.STRICT).setSecure("https".equals(request.scheme())));
        }
        context.put(TOKEN, token);
        context.next();
    }

    private static void dropCookie(HttpServerRequest request, String name) {
        String header = request.getHeader("Cookie");
        if (header == null || !header.contains(name)) {
            return;
        }
        String kept = java.util.Arrays.stream(header.split(";")).map(String::strip)
                .filter(pair -> !pair.startsWith(name + "=")).collect(java.util.stream.Collectors.joining("; "));
        if (kept.isEmpty()) {
            request.headers().remove("Cookie");
        } else {
            request.headers().set("Cookie", kept);
        }
    }
}
