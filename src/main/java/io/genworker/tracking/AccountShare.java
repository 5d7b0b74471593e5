package io.genworker.tracking;

import java.util.Collection;

import org.apache.kafka.common.TopicPartition;

import io.genworker.config.WorkerConfig;
import io.genworker.config.WorkerConfig.Provider.LimitScope;

/**
 * This worker's part of a provider account's limits: the share of the job log's jobs it drives, which is the share
 * of the routed job-log partitions it owns (jobs are spread evenly over them by the hash of their id). The parts of
 * all workers add up to at most the account's limits, rounded down, except for the floor: a worker never goes below
 * one call in flight and {@link #MIN_RATE} a second, so that the jobs of a partition it owns always move.
 * <p>
 * Only the partitions new jobs are routed to count ({@code worker.topics.job-routing-partitions}): partitions an
 * operator added beyond them take no job (see the operations docs), so owning one adds no work, and counting it
 * would shrink the parts of the workers that do the work.
 */
record AccountShare(int owned, int routed) {

    /** The floor of a worker's rate, in calls a second (or the configured rate, if lower). */
    static final double MIN_RATE = 1.0;

    /** The limits of one provider's gate. */
    record GateLimits(int maxConcurrentCalls, double requestsPerSecond) {
    }

    /** The share of these job-log partitions, of which the first {@code routed} take jobs. */
    static AccountShare of(Collection<TopicPartition> owned, int routed) {
        return new AccountShare((int) owned.stream().filter(tp -> tp.partition() < routed).count(), routed);
    }

    GateLimits limitsOf(WorkerConfig.Provider provider) {
        return limitsOf(provider.limitScope(), provider.maxConcurrentCalls(), provider.requestsPerSecond());
    }

    GateLimits limitsOf(LimitScope scope, int maxConcurrentCalls, int requestsPerSecond) {
        int calls = Math.max(1, maxConcurrentCalls);
        double rate = Math.max(1, requestsPerSecond);
        if (scope == LimitScope.WORKER || routed <= 0) {
            return new GateLimits(calls, rate);
        }
        // Rounded down, so that the workers' parts never add up to more than the account's limit.
        int callsShare = (int) ((long) calls * owned / routed);
        double rateShare = rate * owned / routed;
        return new GateLimits(Math.max(1, callsShare), Math.max(Math.min(MIN_RATE, rate), rateShare));
    }

    /** This worker's rate as a fraction of the configured one: 1 with scope WORKER or owning every partition. */
    double rateFraction(WorkerConfig.Provider provider) {
        return limitsOf(provider).requestsPerSecond() / Math.max(1, provider.requestsPerSecond());
    }
}
