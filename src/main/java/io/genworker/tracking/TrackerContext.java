package io.genworker.tracking;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The Vert.x context a shard of the tracker's state lives on, and the event loops the provider calls run on. Work
 * from other threads (the job-log consumer, provider answers) is handed to the context, so the state needs no lock,
 * and every wait is a timer of the context, never a thread.
 */
final class TrackerContext {

    private static final Logger LOG = Logger.getLogger(TrackerContext.class);
    /** How long the consumer thread waits for the context to take a rebalance in. */
    private static final Duration REBALANCE_STEP = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final Context context;
    private final Executor[] ioLoops;

    private TrackerContext(Vertx vertx, Context context, Executor[] ioLoops) {
        this.vertx = vertx;
        this.context = context;
        this.ioLoops = ioLoops;
    }

    /**
     * The contexts of the tracker's shards, then the event loops of the provider calls, which the shards share.
     * Called off any Vert.x thread: each new context then lands on the next event loop, so the shards come first
     * and each has a loop of its own as long as there are loops enough.
     */
    static TrackerContext[] create(Vertx vertx, int shards, int ioLoopCount) {
        Context[] trackers = new Context[shards];
        for (int i = 0; i < shards; i++) {
            trackers[i] = vertx.getOrCreateContext();
        }
        Executor[] ioLoops = new Executor[ioLoopCount];
        for (int i = 0; i < ioLoopCount; i++) {
            Context io = vertx.getOrCreateContext();
            ioLoops[i] = task -> io.runOnContext(ignored -> task.run());
        }
        TrackerContext[] contexts = new TrackerContext[shards];
        for (int i = 0; i < shards; i++) {
            contexts[i] = new TrackerContext(vertx, trackers[i], ioLoops);
        }
        return contexts;
    }

    /** Runs tasks on the context. */
    Executor executor() {
        return task -> context.runOnContext(ignored -> task.run());
    }

    /** Executors of the event loops that carry provider calls, so their I/O does not load the context's loop. */
    Executor[] ioLoops() {
        return ioLoops.clone();
    }

    /** The context's timers, for jobs (set from the context, they fire on it). */
    JobTimers.Timers timers() {
        return new JobTimers.Timers() {
            @Override
            public long set(long millis, Runnable task) {
                return vertx.setTimer(millis, id -> task.run());
            }

            @Override
            public void cancel(long id) {
                vertx.cancelTimer(id);
            }
        };
    }

    /** The context's timers, for the provider gates, rounded up to whole milliseconds. */
    ProviderGate.Timers gateTimers() {
        return (nanos, task) -> vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999)),
                id -> task.run());
    }

    /** A task repeated on the context. */
    void periodic(Duration every, Runnable task) {
        context.runOnContext(ignored -> vertx.setPeriodic(every.toMillis(), id -> task.run()));
    }

    /** Runs the task on the context and returns once it ran (from a thread that is not the context's). */
    void await(Runnable task) {
        awaitAll(List.of(this), List.of(task));
    }

    /**
     * Runs each task on its context, all at once, and returns once all ran (from a thread that is none of theirs):
     * a rebalance reaches every shard in the time one would take.
     */
    static void awaitAll(List<TrackerContext> contexts, List<Runnable> tasks) {
        List<CompletableFuture<Void>> all = new ArrayList<>(contexts.size());
        for (int i = 0; i < contexts.size(); i++) {
            all.add(contexts.get(i).submit(tasks.get(i)));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .get(REBALANCE_STEP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.errorf(e, "tracker did not process a rebalance in time");
        }
    }

    private CompletableFuture<Void> submit(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
