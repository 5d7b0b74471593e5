package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import io.genworker.provider.ProviderOperation;

class ProviderGateTest {

    private static final long SECOND = 1_000_000_000L;

    /** Virtual time and timers: nothing here waits for real. */
    private long now;
    private final TreeMap<Long, List<Runnable>> timers = new TreeMap<>();
    private final List<ProviderGate.Slot> granted = new ArrayList<>();
    private final List<String> order = new ArrayList<>();
    private final Map<ProviderOperation, Long> waits = new java.util.HashMap<>();

    private ProviderGate gate(int limit, ProviderGate.Permits permits) {
        return new ProviderGate(limit, permits,
                (nanos, task) -> timers.computeIfAbsent(now + nanos, t -> new ArrayList<>()).add(task),
                () -> now,
                (operation, nanos) -> waits.merge(operation, nanos, Long::sum));
    }

    /** One permit every `spacing` nanoseconds, like a limiter with a steady refill. */
    private ProviderGate.Permits everyNanos(long spacing) {
        long[] nextFree = { 0 };
        return () -> {
            long at = Math.max(now, nextFree[0]);
            nextFree[0] = at + spacing;
            return at - now;
        };
    }

    private static final BooleanSupplier NEVER_CANCELLED = () -> false;

    private void request(ProviderGate gate, String who) {
        gate.acquire(ProviderOperation.POLL, NEVER_CANCELLED, slot -> {
            order.add(who + "@" + now / (SECOND / 10));
            granted.add(slot);
        });
    }

    /** Reserves this many permits at once; returns the longest wait among them. */
    private static long longestWait(ProviderGate.Permits permits, int count) {
        long longest = 0;
        for (int i = 0; i < count; i++) {
            longest = Math.max(longest, permits.reserve());
        }
        return longest;
    }

    private void advanceTo(long time) {
        while (!timers.isEmpty() && timers.firstKey() <= time) {
            Map.Entry<Long, List<Runnable>> due = timers.pollFirstEntry();
            now = due.getKey();
            due.getValue().forEach(Runnable::run);
        }
        now = time;
    }

    @Test
    void grantsUpToTheConcurrencyLimitAndQueuesTheRest() {
        ProviderGate gate = gate(2, ProviderGate.Permits.unlimited());

        request(gate, "a");
        request(gate, "b");
        request(gate, "c");

        assertThat(order).containsExactly("a@0", "b@0");
        assertThat(gate.inUse()).isEqualTo(2);
        assertThat(gate.waiting()).isEqualTo(1);
    }

    /** Two slots, four callers: a and b hold the slots, c and d wait in that order. */
    private ProviderGate twoSlotsFourCallers() {
        ProviderGate gate = gate(2, ProviderGate.Permits.unlimited());
        for (String who : List.of("a", "b", "c", "d")) {
            request(gate, who);
        }
        return gate;
    }

    @Test
    void aReleasedSlotGoesToTheLongestWaiting() {
        ProviderGate gate = twoSlotsFourCallers();

        granted.get(1).release();

        assertThat(order).containsExactly("a@0", "b@0", "c@0");
        assertThat(gate.waiting()).isEqualTo(1);
    }

    @Test
    void releasingTwiceFreesOnlyOneSlot() {
        ProviderGate gate = twoSlotsFourCallers();

        granted.get(0).release();
        granted.get(0).release();

        assertThat(order).containsExactly("a@0", "b@0", "c@0");
        assertThat(gate.inUse()).isEqualTo(2);
    }

    @Test
    void theRateSpacesCallsOutInTheOrderTheyCameWithoutDroppingAny() {
        ProviderGate gate = gate(100, everyNanos(SECOND / 10));
        for (String who : List.of("a", "b", "c", "d", "e")) {
            request(gate, who);
        }

        assertThat(order).containsExactly("a@0");

        advanceTo(SECOND);

        assertThat(order).containsExactly("a@0", "b@1", "c@2", "d@3", "e@4");
        assertThat(gate.waiting()).isZero();
    }

    @Test
    void waitsAreReportedPerOperation() {
        ProviderGate gate = gate(100, everyNanos(SECOND / 10));
        request(gate, "a");
        request(gate, "b");
        gate.acquire(ProviderOperation.SUBMIT, NEVER_CANCELLED, granted::add);

        advanceTo(SECOND);

        assertThat(waits).containsEntry(ProviderOperation.POLL, SECOND / 10)
                .containsEntry(ProviderOperation.SUBMIT, 2 * SECOND / 10);
    }

    @Test
    void waitingForTheRateNeedsOneTimerNotOnePerCaller() {
        ProviderGate gate = gate(100, everyNanos(SECOND));
        for (int i = 0; i < 50; i++) {
            request(gate, "job" + i);
        }

        assertThat(timers.values().stream().mapToInt(List::size).sum()).isEqualTo(1);
    }

    @Test
    void theResilience4jLimiterKeepsTheConfiguredRate() {
        long longest = longestWait(ProviderGate.Permits.perSecond("test", 20), 40);
        // 40 permits at 20 a second: the last ones are reserved about two seconds ahead, not handed out at once.
        assertThat(longest).isGreaterThan(SECOND / 2);
    }

    @Test
    void aWaiterCancelledBeforeItsTurnUsesNeitherAPermitNorASlot() {
        int[] reserved = { 0 };
        ProviderGate gate = gate(1, () -> {
            reserved[0]++;
            return 0;
        });
        request(gate, "a");
        boolean[] handedOver = { false };
        gate.acquire(ProviderOperation.POLL, () -> handedOver[0], slot -> order.add("b"));
        request(gate, "c");

        handedOver[0] = true;
        granted.get(0).release();

        assertThat(order).containsExactly("a@0", "c@0");
        assertThat(reserved[0]).isEqualTo(2);
    }

    @Test
    void aCallThatFailsToStartGivesItsSlotBack() {
        ProviderGate gate = gate(1, ProviderGate.Permits.unlimited());

        gate.acquire(ProviderOperation.SUBMIT, NEVER_CANCELLED, slot -> {
            throw new IllegalStateException("boom");
        });
        request(gate, "next");

        assertThat(order).containsExactly("next@0");
        assertThat(gate.inUse()).isEqualTo(1);
    }

    @Test
    void aRaisedLimitLetsTheWaitingInAtOnce() {
        ProviderGate gate = twoSlotsFourCallers();

        gate.adjust(4, ProviderGate.Permits.unlimited());

        assertThat(order).containsExactly("a@0", "b@0", "c@0", "d@0");
        assertThat(gate.waiting()).isZero();
    }

    @Test
    void aLoweredLimitLetsTheCallsInFlightFinishAndStartsNoneUntilBelowIt() {
        ProviderGate gate = gate(3, ProviderGate.Permits.unlimited());
        for (String who : List.of("a", "b", "c", "d")) {
            request(gate, who);
        }

        gate.adjust(1, ProviderGate.Permits.unlimited());
        granted.get(0).release();
        granted.get(1).release();

        assertThat(order).containsExactly("a@0", "b@0", "c@0");
        assertThat(gate.inUse()).isEqualTo(1);

        granted.get(2).release();

        assertThat(order).containsExactly("a@0", "b@0", "c@0", "d@0");
    }

    @Test
    void aRaisedRateTakesEffectWithoutWaitingOutTheOldSpacing() {
        ProviderGate gate = gate(100, everyNanos(SECOND));
        for (String who : List.of("a", "b", "c", "d")) {
            request(gate, who);
        }
        assertThat(order).containsExactly("a@0");

        gate.adjust(100, everyNanos(SECOND / 10));
        advanceTo(3 * SECOND / 10);

        // b's permit of the old rate was due at 1 s; under the new one b, c and d go a tenth apart.
        assertThat(order).containsExactly("a@0", "b@0", "c@1", "d@2");
    }

    @Test
    void aLoweredRateSpacesTheNextCallsByTheNewRate() {
        ProviderGate gate = gate(100, everyNanos(SECOND / 10));
        for (String who : List.of("a", "b", "c", "d")) {
            request(gate, who);
        }
        advanceTo(SECOND / 10);
        assertThat(order).containsExactly("a@0", "b@1");

        gate.adjust(100, everyNanos(SECOND));
        advanceTo(3 * SECOND);

        assertThat(order).containsExactly("a@0", "b@1", "c@1", "d@11");
    }

    @Test
    void theLimiterTakesAFractionalRate() {
        long longest = longestWait(ProviderGate.Permits.perSecond("test", 2.5), 6);
        // 6 permits at 2.5 a second: the last about 2 s ahead (one every 400 ms).
        assertThat(longest).isBetween(17 * SECOND / 10, 21 * SECOND / 10);
    }
}
