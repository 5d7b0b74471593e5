package io.genworker.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.SseEventSink;

import org.awaitility.Awaitility;
import org.jboss.resteasy.reactive.server.jaxrs.SseImpl;
import org.junit.jupiter.api.Test;

class LiveStreamsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aStreamSendsRowsAndTheirTimeUntilItsLifetimeEndsThenGivesItsPlaceBack() {
        LiveStreams streams = new LiveStreams(config(1, 1, Duration.ofMillis(400)));
        Sink sink = new Sink(false);

        streams.stream(sink, SseImpl.INSTANCE, Duration.ofMillis(50), "ops", () -> "<tr>\n<td>a</td></tr>");

        Awaitility.await().atMost(WAIT).until(sink::isClosed);
        assertThat(sink.names()).contains("rows", "stamp");
        assertThat(sink.sent.get(0).getData()).as("one line: no event field can be smuggled in")
                .isEqualTo("<tr> <td>a</td></tr>");
        assertThat(streams.available()).isTrue();
    }

    @Test
    void aBrowserPastItsShareIsToldToComeBackInAMinuteAndOthersStillGetIn() {
        LiveStreams streams = new LiveStreams(config(10, 1, Duration.ofMinutes(1)));
        Sink first = new Sink(false);
        Sink second = new Sink(false);
        Sink other = new Sink(false);

        streams.stream(first, SseImpl.INSTANCE, Duration.ofMillis(50), "ops", () -> "x");
        streams.stream(second, SseImpl.INSTANCE, Duration.ofMillis(50), "ops", () -> "x");
        streams.stream(other, SseImpl.INSTANCE, Duration.ofMillis(50), "viewer", () -> "x");

        Awaitility.await().atMost(WAIT).until(second::isClosed);
        assertThat(second.names()).containsExactly("full");
        assertThat(second.sent.get(0).getReconnectDelay()).isEqualTo(Duration.ofMinutes(1).toMillis());
        Awaitility.await().atMost(WAIT).until(() -> other.names().contains("rows"));
        assertThat(first.isClosed()).isFalse();
        first.close();
        other.close();
    }

    @Test
    void aBrowserThatWentAwayEndsItsStreamAndFreesItsPlace() {
        LiveStreams streams = new LiveStreams(config(1, 1, Duration.ofMinutes(1)));
        Sink gone = new Sink(true);

        streams.stream(gone, SseImpl.INSTANCE, Duration.ofMillis(50), "ops", () -> "x");

        Awaitility.await().atMost(WAIT).until(streams::available);
        Sink next = new Sink(false);
        streams.stream(next, SseImpl.INSTANCE, Duration.ofMillis(50), "ops", () -> "x");
        Awaitility.await().atMost(WAIT).until(() -> next.names().contains("rows"));
        next.close();
    }

    /** A browser's end of a stream; one that went away fails every send. */
    private static final class Sink implements SseEventSink {

        final List<OutboundSseEvent> sent = new CopyOnWriteArrayList<>();
        private final boolean gone;
        private final AtomicBoolean closed = new AtomicBoolean();

        Sink(boolean gone) {
            this.gone = gone;
        }

        List<String> names() {
            return sent.stream().map(OutboundSseEvent::getName).toList();
        }

        @Override
        public boolean isClosed() {
            return closed.get();
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            if (gone || closed.get()) {
                return CompletableFuture.failedFuture(new IllegalStateException("Already closed"));
            }
            sent.add(event);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    private static ConsoleConfig config(int maxStreams, int perUser, Duration lifetime) {
        return new ConsoleConfig() {
            public boolean enabled() {
                return true;
            }

            public Duration refresh() {
                return Duration.ofSeconds(5);
            }

            public List<Duration> refreshChoices() {
                return List.of(Duration.ofSeconds(5));
            }

            public int maxStreams() {
                return maxStreams;
            }

            public int maxStreamsPerUser() {
                return perUser;
            }

            public int concurrentReads() {
                return 2;
            }

            public Duration streamLifetime() {
                return lifetime;
            }

            public int pageSize() {
                return 50;
            }

            public Optional<List<String>> mediaOrigins() {
                return Optional.empty();
            }
        };
    }
}
