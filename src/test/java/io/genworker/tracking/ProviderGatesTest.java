package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;

import io.genworker.config.WorkerConfig;
import io.genworker.job.JobRecord;
import io.genworker.provider.GenerationStatus;
import io.genworker.provider.ProviderOperation;
import io.genworker.provider.Submission;
import io.genworker.provider.VideoProvider;
import io.smallrye.mutiny.Uni;

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

    /** Two calls at a time for the provider, whatever the shard; no rate limit. */
    private final ProviderGates gates = new ProviderGates(home,
            provider -> new ProviderGate(2, ProviderGate.Permits.unlimited(), (nanos, task) -> {
                throw new AssertionError("no timer is needed without a rate limit");
            }, System::nanoTime, (operation, nanos) -> { }));
    /** Only its id matters to the gates here. */
    private final VideoProvider provider = new VideoProvider() {
        @Override
        public String id() {
            return "aimlapi";
        }

        @Override
        public WorkerConfig.Provider settings() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean configured() {
            return true;
        }

        @Override
        public Uni<Submission> submit(JobRecord job) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<GenerationStatus> poll(String providerJobId) {
            throw new UnsupportedOperationException();
        }
    };

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
