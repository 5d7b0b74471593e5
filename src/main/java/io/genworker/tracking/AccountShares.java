package io.genworker.tracking;

import java.util.Collection;

import io.genworker.metrics.WorkerMetrics;

/**
 * Splits each provider account's limits between the workers: after every change of the job-log partitions this
 * worker owns (an assignment, a revocation, a loss), its gates take the share those partitions give it. Every worker
 * does the same with its own partitions, so together they stay within the account without talking to each other.
 * On the tracker's context.
 * <p>
 * While a rebalance moves partitions, the old owner lets go of them (and of their share) before the new owner is
 * given them, so the workers' shares never add up to more than the account; the partitions in between are nobody's,
 * and their share is unused. A partition lost unknowingly (a worker frozen past its session) counts for both owners
 * until the old one learns of it.
 */
final class AccountShares {

    private final OwnedPartitions owned;
    private final int routedPartitions;
    private final ProviderAccess providers;

    /**
     * @param routedPartitions the job-log partitions new jobs are routed to ({@code job-routing-partitions})
     * @param providerIds the providers whose share is exposed as a gauge
     */
    AccountShares(OwnedPartitions owned, int routedPartitions, ProviderAccess providers, WorkerMetrics metrics,
            Collection<String> providerIds) {
        this.owned = owned;
        this.routedPartitions = routedPartitions;
        this.providers = providers;
        providerIds.forEach(id -> metrics.providerRateShare(id, () -> providers.rateFraction(id)));
        ownedChanged();
    }

    /** The partitions owned changed: the gates take their new share. */
    void ownedChanged() {
        providers.share(AccountShare.of(owned.all().keySet(), routedPartitions));
    }
}
