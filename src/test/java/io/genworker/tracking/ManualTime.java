package io.genworker.tracking;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/** Virtual time for the tracker's collaborators: a clock and timers that fire only when the test advances time. */
final class ManualTime extends Clock implements JobTimers.Timers, ProviderGate.Timers {

    private record Key(long dueMillis, long id) implements Comparable<Key> {
        @Override
        public int compareTo(Key other) {
            int byTime = Long.compare(dueMillis, other.dueMillis);
            return byTime != 0 ? byTime : Long.compare(id, other.id);
        }
    }

    private final Instant start;
    private long nowMillis;
    private long nextId;
    private final TreeMap<Key, Runnable> pending = new TreeMap<>();

    ManualTime(Instant start) {
        this.start = start;
    }

    /** Runs every timer due within the next {@code duration}, in time order, moving the clock along. */
    void advance(Duration duration) {
        long until = nowMillis + duration.toMillis();
        while (!pending.isEmpty() && pending.firstKey().dueMillis() <= until) {
            Map.Entry<Key, Runnable> next = pending.pollFirstEntry();
            nowMillis = Math.max(nowMillis, next.getKey().dueMillis());
            next.getValue().run();
        }
        nowMillis = until;
    }

    int pendingTimers() {
        return pending.size();
    }

    long nanos() {
        return nowMillis * 1_000_000;
    }

    @Override
    public long set(long millis, Runnable task) {
        long id = nextId++;
        pending.put(new Key(nowMillis + millis, id), task);
        return id;
    }

    @Override
    public void cancel(long id) {
        for (Iterator<Key> keys = pending.keySet().iterator(); keys.hasNext();) {
            if (keys.next().id() == id) {
                keys.remove();
                return;
            }
        }
    }

    @Override
    public void after(long nanos, Runnable task) {
        set(Math.max(1, (nanos + 999_999) / 1_000_000), task);
    }

    @Override
    public Instant instant() {
        return start.plusMillis(nowMillis);
    }

    @Override
    public ZoneOffset getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
