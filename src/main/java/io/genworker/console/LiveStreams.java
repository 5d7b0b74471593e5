package io.genworker.console;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The live tables' server-sent events: each open table gets its rows re-read and sent at its own rate, on a worker
 * thread (the index is JDBC), until the browser goes away or the stream's lifetime ends (the browser then
 * reconnects, which re-checks its session). At most {@code worker.console.max-streams} at once: each costs one page
 * read per tick.
 */
@ApplicationScoped
public class LiveStreams {

    private static final Logger LOG = Logger.getLogger(LiveStreams.class);

    static final Duration FULL_RETRY = Duration.ofMinutes(1);
    static final Duration RECONNECT = Duration.ofSeconds(3);

    private final ConsoleConfig config;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, AtomicInteger> byBrowser = new ConcurrentHashMap<>();
    private final Semaphore reads;

    public LiveStreams(ConsoleConfig config) {
        this.config = config;
        this.reads = new Semaphore(Math.max(1, config.concurrentReads()));
    }

    /** Whether another stream may open now. */
    public boolean available() {
        return open.get() < config.maxStreams();
    }

    /**
     * Streams the rendered rows (event {@code rows}) and the time of each read (event {@code stamp}) every
     * {@code every}; closes the sink at once when full.
     */
    public void stream(SseEventSink sink, Sse sse, Duration every, String browser, Supplier<String> rows) {
        AtomicInteger mine = byBrowser.computeIfAbsent(browser, b -> new AtomicInteger());
        // Both counted (a non-short-circuit or), so that both are given back below.
        if (open.incrementAndGet() > config.maxStreams() | mine.incrementAndGet() > config.maxStreamsPerUser()) {
            open.decrementAndGet();
            if (mine.decrementAndGet() <= 0) {
                byBrowser.remove(browser, mine);
            }
            // Told to come back in a minute rather than at once: an EventSource reconnects by itself.
            sink.send(sse.newEventBuilder().name("full").data("too many live tables on this worker")
                    .reconnectDelay(FULL_RETRY.toMillis()).build())
                    .whenComplete((sent, failure) -> sink.close());
            return;
        }
        Multi.createFrom().ticks().every(every)
                // A read slower than the rate skips ticks rather than failing the stream.
                .onOverflow().drop()
                .select().first(config.streamLifetime())
                .onItem().transformToUniAndConcatenate(tick -> Uni.createFrom().item(() -> readIfFree(rows))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                        .onFailure().recoverWithItem(failure -> {
                            LOG.debugf("console: live rows not read: %s", failure.getMessage());
                            return null;
                        }))
                .onItem().transformToUniAndConcatenate(html -> html == null ? Uni.createFrom().voidItem()
                        // Each event resets the reconnection delay a "full" answer may have left on the browser.
                        : Uni.createFrom().completionStage(() -> sink.send(sse.newEventBuilder().name("rows")
                                .reconnectDelay(RECONNECT.toMillis()).data(oneLine(html)).build()))
                                .chain(() -> Uni.createFrom().completionStage(() -> sink.send(sse.newEventBuilder()
                                        .name("stamp").data(Instant.now().toString()).build())))
                                .replaceWithVoid())
                .onTermination().invoke(() -> {
                    open.decrementAndGet();
                    if (mine.decrementAndGet() <= 0) {
                        byBrowser.remove(browser, mine);
                    }
                    if (!sink.isClosed()) {
                        sink.close();
                    }
                })
                // A send to a browser that went away fails, which ends the stream.
                .subscribe().with(sent -> {
                }, failure -> LOG.debugf("console: live stream ended: %s", failure.getMessage()));
    }

    /** The rows, or null (nothing sent this tick) when the index's reads are all taken. */
    private String readIfFree(Supplier<String> rows) {
        if (!reads.tryAcquire()) {
            return null;
        }
        try {
            return rows.get();
        } finally {
            reads.release();
        }
    }

    /** An event's data on one line: a fragment's line breaks are only whitespace between tags. */
    static String oneLine(String html) {
        return html.replace("\r", " ").replace("\n", " ");
    }
}
