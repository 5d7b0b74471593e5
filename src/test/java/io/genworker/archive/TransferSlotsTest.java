package io.genworker.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;

class TransferSlotsTest {

    private final TransferSlots slots = new TransferSlots(2);
    private final List<UnicastProcessor<String>> started = new ArrayList<>();
    private final List<String> done = new ArrayList<>();

    @Test
    void transfersBeyondTheLimitWaitAndStartInOrderAsOthersEnd() {
        submit();
        submit();
        submit();
        submit();

        assertThat(started).hasSize(2);
        assertThat(slots.waiting()).isEqualTo(2);

        finish(0, "a");
        assertThat(started).hasSize(3);
        fail(1);
        assertThat(started).hasSize(4);
        finish(2, "c");
        finish(3, "d");

        assertThat(done).containsExactly("a", "failed", "c", "d");
        assertThat(slots.running()).isZero();
        assertThat(slots.waiting()).isZero();
    }

    @Test
    void aCancelledWaitingTransferNeverStartsAndACancelledRunningOneGivesItsSlotBack() {
        Cancellable first = submit();
        submit();
        Cancellable third = submit();

        third.cancel();
        assertThat(slots.waiting()).isZero();
        first.cancel();

        assertThat(started).as("the slot went to no cancelled transfer").hasSize(2);
        assertThat(slots.running()).isEqualTo(1);
        submit();
        assertThat(started).hasSize(3);
    }

    @Test
    void aCancelArrivingAfterTheEndFreesNoSecondSlot() {
        Cancellable first = submit();
        submit();
        submit();
        finish(0, "a");
        first.cancel();

        assertThat(slots.running()).as("the second runs, the third took the first's slot").isEqualTo(2);
        submit();
        assertThat(started).as("no third slot appeared").hasSize(3);
    }

    @Test
    void aTransferThatCannotStartFailsAndGivesItsSlotBack() {
        List<Throwable> failures = new ArrayList<>();
        slots.<String>run(() -> {
            throw new IllegalStateException("no bucket configured");
        }).subscribe().with(done::add, failures::add);

        assertThat(failures).singleElement().satisfies(e -> assertThat(e).hasMessage("no bucket configured"));
        assertThat(slots.running()).isZero();
    }

    private Cancellable submit() {
        return slots.run(() -> {
            UnicastProcessor<String> transfer = UnicastProcessor.create();
            started.add(transfer);
            return transfer.toUni();
        }).subscribe().with(done::add, e -> done.add("failed"));
    }

    private void finish(int index, String value) {
        started.get(index).onNext(value);
        started.get(index).onComplete();
    }

    private void fail(int index) {
        started.get(index).onError(new RuntimeException("cut"));
    }
}
