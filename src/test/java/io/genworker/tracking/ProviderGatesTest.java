package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;

import io.genworker.config.WorkerConfig;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.provider.ProviderOperation;
import io.genworker.provider.VideoProvider;
import io.genworker.support.StubWorkerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The gates the tracker's shards share: one budget per provider, each shard's turn back on its own context. */
class ProviderGatesTest {

    /** A context: tasks queue until the test runs them, so each hop between contexts is seen. */
    private static final class Context implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();
        final String name;

        Context(String name) {
            this.name = name;
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }
    }

    private final Context home = new Context("home");
    private final Context other = new Context("other");
    /** Which context each granted call ran on, in order. */
    private final List<String> ranOn = new ArrayList<>();
    private final List<ProviderGates.Slot> slots = new ArrayList<>();
    private Context running;

    /** Two calls at a time for the provider, whatever the shard; a rate no test reaches, so no timer is set. */
    private final ProviderGates gates = new ProviderGates(home, new WorkerMetrics(new SimpleMeterRegistry()),
            (nanos, task) -> {
                throw new AssertionError("no test reaches the rate limit");
            }, System::nanoTime);
    private final WorkerConfig.Provider settings = limits(new StubWorkerConfig().providers().aimlapi(), 2, 1_000_000);

    private final VideoProvider provider = new SettingsOnlyProvider("aimlapi", settings);

    /** The provider's settings with these limits. */
    private static WorkerConfig.Provider limits(WorkerConfig.Provider defaults, int calls, int perSecond) {
        return (WorkerConfig.Provider) Proxy.newProxyInstance(WorkerConfig.Provider.class.getClassLoader(),
                new Class<?>[] {WorkerConfig.Provider.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "maxConcurrentCalls" -> calls;
                    case "requestsPerSecond" -> perSecond;
                    default -> method.invoke(defaults, args);
                });
    }

    private void call(Context from) {
        gates.acquire(provider, ProviderOperation.POLL, () -> false, from == home ? null : from, slot -> {
            ranOn.add(running == null ? "home (direct)" : running.name);
            slots.add(slot);
        });
    }

    /** Runs every queued task of both contexts until none is left. */
    private void settle() {
        boolean ran = true;
        while (ran) {
            ran = false;
            for (Context context : List.of(home, other)) {
                Runnable task = context.tasks.poll();
                if (task != null) {
                    running = context;
                    task.run();
                    running = null;
                    ran = true;
                }
            }
        }
    }

    @Test
    void theHomeShardIsGrantedDirectlyAndAnotherShardOnItsOwnContext() {
        call(home);
        call(other);
        settle();

        assertThat(ranOn).containsExactly("home (direct)", "other");
    }

    @Test
    void theShardsShareOneLimit() {
        call(home);
        call(other);
        call(other);
        settle();
        call(home);
        settle();

        assertThat(slots).hasSize(2);

        slots.get(1).release();
        settle();
        assertThat(slots).hasSize(3);

        slots.get(0).release();
        settle();
        assertThat(slots).hasSize(4);
        // In the order the calls reached the gates' context.
        assertThat(ranOn).containsExactly("home (direct)", "other", "other", "home (direct)");
    }

    @Test
    void aSlotOfAnotherShardIsReleasedOnceOnTheGatesContext() {
        call(other);
        call(other);
        call(other);
        settle();
        ProviderGates.Slot first = slots.get(0);

        first.release();
        first.release();
        assertThat(home.tasks).hasSize(1);
        settle();

        assertThat(slots).hasSize(3);
    }
}
