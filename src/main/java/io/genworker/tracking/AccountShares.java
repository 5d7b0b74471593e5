package io.genworker.tracking;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.genworker.metrics.WorkerMetrics;

/**
 * Splits each provider account's limits between the workers: after every change of the job-log partitions this
 * worker owns (an assignment, a revocation, a loss), its gates take the share those partitions give it. Every worker
 * does the same with its own partitions, so together they stay within the account without talking to each other.
 * Told of the changes on the job-log consumer's thread; the gates apply them on their own context.
 * <p>
 * While a rebalance moves partitions, the old owner lets go of them (and of their share) before the new owner is
 * given them, so the workers' shares never add up to more than the account; the partitions in between are nobody's,
 * and their share is unused. A partition lost unknowingly (a worker frozen past its session) counts for both owners
 * until the old one learns of it. A partition held at a record this worker does not understand still counts: it is
 * this worker's in the group.
 */
final class AccountShares {

    private static final Logger LOG = Logger.getLogger(AccountShares.class);
    /** How long a revocation waits for the gates to give the share up. */
    private static final Duration APPLY_WAIT = Duration.ofSeconds(5);

    private final int routedPartitions;
    private final ProviderGates gates;
    /** The job-log partitions this worker owns; on the consumer's thread only. */
    private final Set<TopicPartition> owned = new HashSet<>();

    /**
     * @param routedPartitions the job-log partitions new jobs are routed to ({@code job-routing-partitions})
     * @param providerIds the providers whose share is exposed as a gauge, with their settings
     */
    AccountShares(int routedPartitions, ProviderGates gates, WorkerMetrics metrics, Collection<String> providerIds,
            Function<String, WorkerConfig.Provider> settings) {
        this.routedPartitions = routedPartitions;
        this.gates = gates;
        providerIds.forEach(id -> metrics.providerRateShare(id, () -> gates.rateFraction(settings.apply(id))));
        gates.share(AccountShare.of(owned, routedPartitions));
    }

    void assigned(Collection<TopicPartition> partitions) {
        owned.addAll(partitions);
        gates.share(AccountShare.of(owned, routedPartitions));
    }

    /**
     * Revoked or lost: returns once the gates apply the smaller share (or after {@link #APPLY_WAIT}), so that the
     * consumer does not let the partitions go, and their next owner take their share, before this worker gave it up.
     */
    void gone(Collection<TopicPartition> partitions) {
        owned.removeAll(partitions);
        try {
            gates.share(AccountShare.of(owned, routedPartitions)).get(APPLY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("the provider gates took more than %s to apply this worker's smaller share", APPLY_WAIT);
        }
    }
}
