package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class CallSlotsTest {

    private final CallSlots slots = new CallSlots(2);
    private final List<CallSlots.Slot> granted = new ArrayList<>();
    private final List<String> order = new ArrayList<>();

    private void request(String who) {
        slots.acquire(slot -> {
            order.add(who);
            granted.add(slot);
        });
    }

    @Test
    void grantsUpToTheLimitAndQueuesTheRest() {
        request("a");
        request("b");
        request("c");

        assertThat(order).containsExactly("a", "b");
        assertThat(slots.inUse()).isEqualTo(2);
        assertThat(slots.waiting()).isEqualTo(1);
    }

    @Test
    void aReleasedSlotGoesToTheLongestWaiting() {
        request("a");
        request("b");
        request("c");
        request("d");

        granted.get(1).release();

        assertThat(order).containsExactly("a", "b", "c");
        assertThat(slots.waiting()).isEqualTo(1);
    }

    @Test
    void releasingTwiceFreesOnlyOneSlot() {
        request("a");
        request("b");
        request("c");
        request("d");

        granted.get(0).release();
        granted.get(0).release();

        assertThat(order).containsExactly("a", "b", "c");
        assertThat(slots.inUse()).isEqualTo(2);
    }
}
