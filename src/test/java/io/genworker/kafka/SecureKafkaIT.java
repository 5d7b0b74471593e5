package io.genworker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.support.KafkaBrokerProcess;
import io.genworker.support.ProviderSimulator;
import io.genworker.support.Requests;
import io.genworker.support.SaslSslListener;
import io.genworker.support.WorkerProcess;
import io.genworker.support.WorkerTopics;

/**
 * Issue 12 item 4 and its SASL_SSL test: the packaged worker on a broker that authenticates with SCRAM-SHA-512 over
 * TLS and authorizes with the KRaft StandardAuthorizer, configured through environment variables only, with only
 * the ACLs docs/operations.md lists ({@link #WORKER_ACLS}), creates its topics and completes jobs. Its clients carry
 * the user's client id, their role and the worker's instance id. Then one permission at a time is taken away (READ
 * on the tracker's group, then on intake's): readiness turns DOWN naming exactly it, the failure counter moves, no
 * secret shows; granted again, readiness comes back UP and jobs complete again. Logs in {@code target/secure-kafka/}.
 */
class SecureKafkaIT {

    private static final Path HOME = Path.of("target", "secure-kafka");
    private static final String USER = "generation-worker";
    private static final String CLIENT_ID = "acme-video";
    private static final String INSTANCE = "secure-0";
    private static final String TRACKER_GROUP = WorkerTopics.TRACKER_GROUP;
    private static final String INTAKE_GROUP = "generation-worker-intake";
    /**
     * Intake's refusal ends, once granted again, only after its session timeout and two retry intervals without a
     * failure: 65 s (IntakeConsumer, application.properties).
     */
    private static final Duration WAIT = Duration.ofMinutes(2);
    /** How long a permission stays taken away once readiness names it: a few heartbeats and consumer restarts. */
    private static final Duration HOLD = Duration.ofSeconds(8);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The worker's ACLs, exactly as docs/operations.md ("Managed Kafka") lists them. */
    static final List<AclBinding> WORKER_ACLS = List.of(
            allow(ResourceType.TOPIC, WorkerTopics.REQUESTS, PatternType.LITERAL, AclOperation.READ),
            allow(ResourceType.TOPIC, WorkerTopics.CONTROL, PatternType.LITERAL, AclOperation.READ),
            allow(ResourceType.TOPIC, WorkerTopics.JOBS, PatternType.LITERAL, AclOperation.READ),
            allow(ResourceType.TOPIC, WorkerTopics.JOBS, PatternType.LITERAL, AclOperation.WRITE),
            allow(ResourceType.TOPIC, WorkerTopics.RESULTS, PatternType.LITERAL, AclOperation.WRITE),
            allow(ResourceType.TOPIC, WorkerTopics.DLQ, PatternType.LITERAL, AclOperation.WRITE),
            // Only while the worker creates its topics (worker.topics.create, on by default).
            allow(ResourceType.TOPIC, WorkerTopics.REQUESTS, PatternType.LITERAL, AclOperation.CREATE),
            allow(ResourceType.TOPIC, WorkerTopics.JOBS, PatternType.LITERAL, AclOperation.CREATE),
            allow(ResourceType.TOPIC, WorkerTopics.RESULTS, PatternType.LITERAL, AclOperation.CREATE),
            allow(ResourceType.TOPIC, WorkerTopics.DLQ, PatternType.LITERAL, AclOperation.CREATE),
            allow(ResourceType.TOPIC, WorkerTopics.CONTROL, PatternType.LITERAL, AclOperation.CREATE),
            allow(ResourceType.GROUP, INTAKE_GROUP, PatternType.LITERAL, AclOperation.READ),
            allow(ResourceType.GROUP, TRACKER_GROUP, PatternType.LITERAL, AclOperation.READ),
            // The job log's per-partition transactions: {worker.tracker.transactional-id-prefix}-{partition}.
            allow(ResourceType.TRANSACTIONAL_ID, TRACKER_GROUP + "-", PatternType.PREFIXED, AclOperation.WRITE));

    @Test
    void theWorkerRunsOnSaslSslWithOnlyItsAclsAndNamesAPermissionTakenAway() throws Exception {
        long start = System.nanoTime();
        SaslSslListener listener = SaslSslListener.generate(HOME.resolve("tls-" + UUID.randomUUID()));
        String password = SaslSslListener.secret();
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.startSecured(HOME, listener);
                ProviderSimulator simulator = ProviderSimulator.start().generationTime(Duration.ofSeconds(1));
                WorkerTopics topics = new WorkerTopics(broker.bootstrapServers());
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all()
                    .get(30, TimeUnit.SECONDS);
            admin.createAcls(WORKER_ACLS).all().get(30, TimeUnit.SECONDS);

            Map<String, String> env = new HashMap<>(listener.workerEnvironment(broker.securedBootstrapServers(),
                    USER, password));
            env.put("KAFKA_CLIENT_ID", CLIENT_ID);
            env.put("WORKER_TRACKER_INSTANCE_ID", INSTANCE);
            WorkerProcess worker = new WorkerProcess("secure", broker.securedBootstrapServers(),
                    simulator.baseUrl(), HOME, WorkerProcess.shortPolls(env)).start();
            try {
                worker.awaitReady();
                long ready = System.nanoTime();
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).as("topics the worker created")
                        .contains(WorkerTopics.REQUESTS, WorkerTopics.JOBS, WorkerTopics.RESULTS, WorkerTopics.DLQ);

                completesJobs(topics, "secure-first", 5);
                assertThat(memberClientIds(admin, TRACKER_GROUP)).containsExactly(CLIENT_ID + "-tracker-" + INSTANCE);
                assertThat(memberClientIds(admin, INTAKE_GROUP)).containsExactly(CLIENT_ID + "-intake-" + INSTANCE);
                assertThat(check(worker, "kafka-authorization").path("status").asText()).isEqualTo("UP");
                long phaseOne = System.nanoTime();

                takenAwayThenGranted(admin, worker, password, listener,
                        allow(ResourceType.GROUP, TRACKER_GROUP, PatternType.LITERAL, AclOperation.READ), "tracker");
                completesJobs(topics, "secure-again", 2);
                takenAwayThenGranted(admin, worker, password, listener,
                        allow(ResourceType.GROUP, INTAKE_GROUP, PatternType.LITERAL, AclOperation.READ), "intake");
                completesJobs(topics, "secure-last", 2);

                System.out.printf("SECURE_KAFKA ready_s=%.1f jobs_s=%.1f refusals_s=%.1f wall_time_s=%.1f%n",
                        (ready - start) / 1e9, (phaseOne - ready) / 1e9, (System.nanoTime() - phaseOne) / 1e9,
                        (System.nanoTime() - start) / 1e9);
            } finally {
                worker.terminate();
            }
        }
    }

    private static void completesJobs(WorkerTopics topics, String prefix, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            topics.send(id, Requests.anyModel(id, i).toString());
        }
        Map<String, JsonNode> results = topics.awaitResults(ids, Duration.ofMinutes(2));
        assertThat(results.values()).as("results of %s", prefix)
                .allSatisfy(result -> assertThat(result.path("status").asText()).isEqualTo("COMPLETED"));
    }

    /**
     * Deletes one of the worker's ACLs: readiness must turn DOWN naming it under the client that needs it, without
     * a secret, and the client's failure counter must move; then grants it again and waits for readiness UP.
     */
    private static void takenAwayThenGranted(Admin admin, WorkerProcess worker, String password,
            SaslSslListener listener, AclBinding acl, String client) throws Exception {
        String permission = acl.entry().operation() + " on " + capitalised(acl.pattern().resourceType()) + " "
                + acl.pattern().name();
        admin.deleteAcls(List.of(acl.toFilter())).all().get(30, TimeUnit.SECONDS);

        Callable<Boolean> named = () -> permission.equals(check(worker, "kafka-authorization").path("data")
                .path(client).asText());
        Awaitility.await(client + " refused " + permission).atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(named);
        // For as long as the permission is missing (the clients retrying, the tracker's consumer replaced every
        // 5 s, heartbeats refused), readiness stays DOWN.
        Awaitility.await(client + " still refused").during(HOLD).atMost(HOLD.plusSeconds(10))
                .pollInterval(Duration.ofMillis(500)).until(named);
        HttpResponse<String> readiness = worker.get("/q/health/ready");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(check(worker, "kafka-authorization").path("status").asText()).isEqualTo("DOWN");
        assertThat(readiness.body()).doesNotContain(password, listener.truststorePassword(), "ScramLoginModule",
                listener.truststore().toString());
        assertThat(failures(worker, client)).as("authorization failures of %s", client).isPositive();

        admin.createAcls(List.of(acl)).all().get(30, TimeUnit.SECONDS);
        Awaitility.await(client + " allowed again").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(worker::ready);
        assertThat(check(worker, "kafka-authorization").path("status").asText()).isEqualTo("UP");
    }

    private static JsonNode check(WorkerProcess worker, String name) throws Exception {
        for (JsonNode check : JSON.readTree(worker.get("/q/health/ready").body()).path("checks")) {
            if (name.equals(check.path("name").asText())) {
                return check;
            }
        }
        throw new AssertionError("no readiness check " + name);
    }

    private static double failures(WorkerProcess worker, String client) {
        Matcher sample = Pattern.compile("(?m)^genworker_kafka_authorization_failures_total\\{[^}]*client=\""
                + Pattern.quote(client) + "\"[^}]*} (\\S+)$").matcher(worker.get("/q/metrics").body());
        return sample.find() ? Double.parseDouble(sample.group(1)) : 0;
    }

    private static List<String> memberClientIds(Admin admin, String group) throws Exception {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                .get(30, TimeUnit.SECONDS).get(group);
        return description.members().stream().map(MemberDescription::clientId).toList();
    }

    private static String capitalised(ResourceType type) {
        return switch (type) {
            case TOPIC -> "Topic";
            case GROUP -> "Group";
            case TRANSACTIONAL_ID -> "TransactionalId";
            default -> type.name();
        };
    }

    private static AclBinding allow(ResourceType type, String name, PatternType pattern, AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + USER, "*", operation, AclPermissionType.ALLOW));
    }
}
