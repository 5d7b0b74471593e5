package io.genworker.joblog;

import java.time.Duration;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.genworker.config.WorkerConfig;

/**
 * Whether this worker may still believe it owns its job-log partitions. The group takes partitions away from a
 * member it has not heard from for a session timeout, but the member only learns so at its next poll: a process
 * that stalled (a long GC pause, a frozen VM) would otherwise wake up and write transitions, and submit jobs, that a
 * new owner is already driving. So the tracker writes, and calls a provider to submit, only while the lease is
 * fresh: the consumer came back from a poll, and sent a heartbeat, within half a session timeout. A stale lease
 * holds writes back until the consumer has polled again, which is when a lost membership surfaces (the partitions
 * are revoked and their jobs dropped).
 * <p>
 * What it does not cover: the client's gauge counts heartbeats sent, not answered, in whole seconds. A worker cut
 * off from the coordinator but still polling keeps a fresh lease until its own client gives up on the session,
 * about half a session timeout after the group has already moved its partitions. Closing that window entirely
 * would need every transition written in a transaction fenced per partition. It lives with the consumer that renews
 * it; the tracker reads it before every write.
 */
@ApplicationScoped
public class OwnershipLease {

    private final long validNanos;
    private final LongSupplier nanoTime;
    private volatile long renewedNanos;
    private volatile DoubleSupplier heartbeatSecondsAgo = () -> 0;
    private volatile boolean handingOver;

    @Inject
    public OwnershipLease(WorkerConfig config) {
        this(config.tracker().sessionTimeout().dividedBy(2), System::nanoTime);
    }

    OwnershipLease(Duration valid, LongSupplier nanoTime) {
        this.validNanos = valid.toNanos();
        this.nanoTime = nanoTime;
        this.renewedNanos = nanoTime.getAsLong();
    }

    /** The consumer came back from a poll. */
    void renewed() {
        renewedNanos = nanoTime.getAsLong();
    }

    /** Time since the consumer last came back from a poll: liveness reads it to tell a stuck loop. */
    Duration sinceRenewed() {
        return Duration.ofNanos(nanoTime.getAsLong() - renewedNanos);
    }

    /** Where to read how long ago the coordinator last answered a heartbeat (the consumer's own metric). */
    void heartbeats(DoubleSupplier secondsAgo) {
        heartbeatSecondsAgo = secondsAgo;
    }

    /**
     * While the consumer hands partitions over in its revocation callback, the group waits for it: no other member
     * owns them until the callback returns, so the tracker may finish what is under way (see
     * {@link JobLogListener#revoked}) however long the poll has been held, as long as heartbeats are answered.
     */
    void handingOver(boolean now) {
        handingOver = now;
    }

    /** A heartbeat gauge of -1 (none sent yet, the group is still forming) or NaN (no such gauge) does not count. */
    public boolean fresh() {
        double heartbeat = heartbeatSecondsAgo.getAsDouble();
        boolean heartbeatFresh = Double.isNaN(heartbeat) || heartbeat < 0 || heartbeat * 1e9 < validNanos;
        // A hand-over holds the poll, not the heartbeats: a coordinator gone silent still ends the lease.
        return heartbeatFresh && (handingOver || nanoTime.getAsLong() - renewedNanos < validNanos);
    }
}
