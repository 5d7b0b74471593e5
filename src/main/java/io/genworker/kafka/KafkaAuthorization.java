package io.genworker.kafka;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.jboss.logging.Logger;

import io.genworker.metrics.WorkerMetrics;
import io.quarkus.runtime.StartupEvent;

/**
 * The permissions the broker refuses this worker, one per client at most (the health check turns readiness DOWN
 * while any is recorded). Kafka reports a missing ACL as an error the clients retry (or, for a transactional
 * producer, as a failure that looks like any other), so without this a worker missing one permission stalls with
 * readiness UP. Each client records what it was refused where its calls fail, and clears it once a call that needs
 * that permission succeeds.
 * <p>
 * A permission is described as Kafka's ACLs name it: the operation, the resource type and its name ("READ on Group
 * generation-worker-tracker"). Nothing else from the failure is kept: the descriptions are shown on an
 * unauthenticated endpoint.
 */
@ApplicationScoped
public class KafkaAuthorization {

    /** The clients whose failure counter exists at zero from the start (see {@link #registerKnown}). */
    public static final List<String> KNOWN_CLIENTS = List.of("intake", "tracker", "writer", "topics", "reader",
            "transactions");

    private static final Logger LOG = Logger.getLogger(KafkaAuthorization.class);

    private final WorkerMetrics metrics;
    private final Map<String, String> refusals = new ConcurrentHashMap<>();

    public KafkaAuthorization(WorkerMetrics metrics) {
        this.metrics = metrics;
    }

    void registerKnown(@Observes StartupEvent event) {
        KNOWN_CLIENTS.forEach(metrics::registerAuthorizationFailures);
    }

    /**
     * Records (or replaces) what the broker refused this client.
     *
     * @param client the worker's name for the client (the role of its client id: "tracker", "writer"...)
     * @param permission what it lacks, as an ACL names it: "WRITE on TransactionalId generation-worker-tracker-3"
     * @param cause the failure that told; logged with the permission the first time, not kept
     */
    public void refused(String client, String permission, Throwable cause) {
        metrics.authorizationFailure(client);
        String before = refusals.put(client, permission);
        if (!permission.equals(before)) {
            LOG.errorf("Kafka refuses the %s client %s: grant it to the worker's principal (%s: %s)", client,
                    permission, cause.getClass().getSimpleName(), cause.getMessage());
        }
    }

    /** The client did what needs the permission it was refused: the refusal is over. */
    public void allowed(String client) {
        String before = refusals.remove(client);
        if (before != null) {
            LOG.infof("Kafka allows the %s client again what it had refused (%s)", client, before);
        }
    }

    /** What each client is refused now, by client. */
    public Map<String, String> refusals() {
        return Collections.unmodifiableMap(new TreeMap<>(refusals));
    }

    /** The authorization failure among this failure and its causes, if there is one. */
    public static Optional<AuthorizationException> authorizationFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AuthorizationException denied) {
                return Optional.of(denied);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * The permission a refusal names, for a client that was doing {@code operation} (READ for a consumer, WRITE for
     * a producer, CREATE for topic creation): the resources come from the exception, which does not say the
     * operation. A transactional id is not in the exception either: callers that know it name it themselves.
     */
    public static String permission(AuthorizationException denied, String operation) {
        if (denied instanceof TopicAuthorizationException topics) {
            return operation + " on Topic " + (topics.unauthorizedTopics().isEmpty() ? "(not named by the broker)"
                    : String.join(", ", new TreeSet<>(topics.unauthorizedTopics())));
        }
        if (denied instanceof GroupAuthorizationException group) {
            return operation + " on Group " + (group.groupId() == null ? "(not named by the broker)"
                    : group.groupId());
        }
        if (denied instanceof TransactionalIdAuthorizationException) {
            return operation + " on TransactionalId";
        }
        if (denied instanceof ClusterAuthorizationException) {
            return operation + " on Cluster kafka-cluster";
        }
        return operation + " (" + denied.getClass().getSimpleName() + ")";
    }
}
