package io.genworker.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import io.genworker.config.WorkerConfig;
import io.genworker.joblog.JobRouting;
import io.smallrye.common.annotation.Identifier;

/** Creates the worker's topics with the policies the design relies on, when they are missing. */
@ApplicationScoped
public class TopicInitializer {

    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);
    /** This admin client's role in its client id and in {@link KafkaAuthorization}. */
    static final String CLIENT = "topics";
    /** A replay after a crash must see recent history uncompacted. */
    private static final Duration MIN_COMPACTION_LAG = Duration.ofHours(1);
    /**
     * Kafka never compacts the active segment, and by default rolls it only after 7 days (or 1 GiB): the job log's
     * newest week would stay uncompacted, five records a job, and every replay would read all of them. Rolling it
     * hourly lets compaction keep about one record a job older than the compaction lag.
     */
    private static final Duration SEGMENT = Duration.ofHours(1);
    /** How long start-up waits to check operator-made topics: a broker away is an outage, waited for later. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final Map<String, Object> kafka;
    private final WorkerConfig config;
    private final WorkerConfig.Topics topics;
    private final KafkaAuthorization authorization;

    public TopicInitializer(@Identifier("default-kafka-broker") Map<String, Object> kafka, WorkerConfig config,
            KafkaAuthorization authorization) {
        this.kafka = kafka;
        this.config = config;
        this.topics = config.topics();
        this.authorization = authorization;
    }

    /** The worker's topics, with their partitions, replication and policies. */
    public static List<NewTopic> definitions(WorkerConfig.Topics topics) {
        List<NewTopic> all = new ArrayList<>();
        all.add(topic(topics, topics.requests(), Map.of()));
        all.add(topic(topics, topics.jobs(), Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(topics.dedupWindow().toMillis()),
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Long.toString(MIN_COMPACTION_LAG.toMillis()),
                TopicConfig.SEGMENT_MS_CONFIG, Long.toString(SEGMENT.toMillis()))));
        all.add(topic(topics, topics.results(), Map.of()));
        all.add(topic(topics, topics.deadLetters(), Map.of()));
        all.add(topic(topics, topics.control(), Map.of()));
        return all;
    }

    /**
     * Blocks until the topics exist: the tracker must not start on an auto-created, uncompacted job log. A broker
     * that refuses to create one (no CREATE permission) fails the start-up, naming the permission: grant it, or
     * create the topics beforehand and turn {@code worker.topics.create} off.
     */
    public void ensureTopics() {
        if (!topics.create()) {
            checkExistingJobLog();
            return;
        }
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            if (existing.contains(topics.jobs())) {
                checkJobLogPartitions(admin, Duration.ofSeconds(60));
            }
            List<NewTopic> missing = definitions(topics).stream().filter(t -> !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (ExecutionException e) {
            KafkaAuthorization.authorizationFailure(e).ifPresent(denied -> {
                String permission = KafkaAuthorization.permission(denied, "CREATE");
                authorization.refused(CLIENT, permission, denied);
                throw new IllegalStateException("cannot create topics: Kafka refuses " + permission
                        + " (grant it, or create the topics and set worker.topics.create=false)", e);
            });
            throw new IllegalStateException("cannot create topics: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    private Admin admin() {
        Map<String, Object> props = KafkaSettings.clientProperties(kafka);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, KafkaSettings.clientId(kafka, config, CLIENT));
        return Admin.create(props);
    }

    /**
     * With topics created by an operator, the job log's partition count is still checked against the routing:
     * refused on a mismatch; let go (with a warning) when the broker does not answer in time, as the worker then
     * waits for it like for any outage.
     */
    private void checkExistingJobLog() {
        try (Admin admin = admin()) {
            checkJobLogPartitions(admin, CHECK_TIMEOUT);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("could not check the job log's partitions against the routing (%s): going on",
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A job log with fewer partitions than the routing count cannot take the jobs routed to the missing ones; one
     * with more (partitions added) is fine: jobs stay where their history is, and the added partitions take none.
     */
    private void checkJobLogPartitions(Admin admin, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        int actual = admin.describeTopics(List.of(topics.jobs()),
                new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis())).allTopicNames()
                .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS).get(topics.jobs()).partitions().size();
        JobRouting routing = JobRouting.from(topics);
        String problem = routing.problemWith(actual);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
        if (actual > routing.partitions()) {
            LOG.infof("the job log has %d partitions; new jobs go to the first %d (worker.topics.job-routing-partitions)",
                    actual, routing.partitions());
        }
    }

    private static NewTopic topic(WorkerConfig.Topics topics, String name, Map<String, String> configs) {
        return new NewTopic(name, Optional.of(topics.partitions()), topics.replicationFactor()).configs(configs);
    }
}
