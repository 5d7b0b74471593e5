package io.genworker.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;

import kafka.tools.StorageTool;

/**
 * A single-node KRaft broker (combined broker and controller) as a child JVM, run from the test classpath with
 * Kafka's own {@code kafka.Kafka} main. Unlike the in-JVM test kit it can be stopped (SIGTERM, or SIGKILL as a
 * crash) and started again on the same ports and the same data directory, so clients see the same broker come back.
 * The storage is formatted once, in this JVM, with Kafka's StorageTool; the broker's output goes to
 * {@code broker-N.log} in the data directory's parent.
 * <p>
 * {@link #startSecured} adds a SASL_SSL listener (see {@link SaslSslListener}) and the KRaft StandardAuthorizer:
 * there every principal gets only what its ACLs grant. The PLAINTEXT listener stays, for the controller link and
 * the test itself: its anonymous principal is the super user that creates the SCRAM users, the ACLs and the
 * topics, as an operator would, and sends requests and reads results as other applications would.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private final Path home;
    private final Path dataDir;
    private final Path properties;
    private final int port;
    private final int controllerPort;
    private final SaslSslListener secured;
    private final int securedPort;
    private int starts;
    private Process process;

    private KafkaBrokerProcess(Path home, SaslSslListener secured) throws IOException {
        this.home = home;
        this.dataDir = home.resolve("data");
        this.properties = home.resolve("server.properties");
        this.port = ChildProcesses.freePort();
        this.controllerPort = ChildProcesses.freePort();
        this.secured = secured;
        this.securedPort = secured == null ? -1 : ChildProcesses.freePort();
        Files.createDirectories(dataDir);
        Files.writeString(properties, serverProperties());
        format();
    }

    /** Formats a fresh data directory under {@code parent} and starts the broker; returns once it answers. */
    public static KafkaBrokerProcess start(Path parent) {
        return start(parent, null);
    }

    /** As {@link #start(Path)}, with a SASL_SSL listener and the StandardAuthorizer (see the class comment). */
    public static KafkaBrokerProcess startSecured(Path parent, SaslSslListener secured) {
        return start(parent, secured);
    }

    private static KafkaBrokerProcess start(Path parent, SaslSslListener secured) {
        try {
            KafkaBrokerProcess broker = new KafkaBrokerProcess(parent.resolve("kraft-" + UUID.randomUUID()),
                    secured);
            broker.start();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a Kafka broker", e);
        }
    }

    /** The PLAINTEXT listener; on a secured broker, the super user's. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The SASL_SSL listener of a broker started with {@link #startSecured}. */
    public String securedBootstrapServers() {
        if (secured == null) {
            throw new IllegalStateException("this broker has no SASL_SSL listener");
        }
        return "127.0.0.1:" + securedPort;
    }

    /** Starts the broker process on its ports and data directory and waits until it answers. */
    public void start() {
        if (alive()) {
            throw new IllegalStateException("the broker is already running");
        }
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", classpath(), "kafka.Kafka", properties.toString());
        builder.redirectErrorStream(true).redirectOutput(home.resolve("broker-" + (starts++) + ".log").toFile());
        try {
            process = ChildProcesses.killedOnExit(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka broker", e);
        }
        awaitAnswering();
    }

    /** SIGTERM: a controlled shutdown, logs flushed. Waits for the process to end. */
    public void stop() {
        end(true);
    }

    /** SIGKILL: a crash; the next start recovers the logs. Waits for the process to end. */
    public void kill() {
        end(false);
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        end(false);
    }

    private void end(boolean graceful) {
        ChildProcesses.end(process, graceful);
    }

    private void awaitAnswering() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Awaitility.await("Kafka broker at " + bootstrapServers()).atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .failFast("the broker process ended; see " + home, () -> !process.isAlive())
                    .until(() -> !admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes()
                            .get(3, TimeUnit.SECONDS).isEmpty());
        }
    }

    private void format() {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int status = StorageTool.execute(new String[] {"format", "--cluster-id", Uuid.randomUuid().toString(),
                "--config", properties.toString()}, new PrintStream(output, true, StandardCharsets.UTF_8));
        if (status != 0) {
            throw new IllegalStateException("cannot format " + dataDir + ": "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }

    /** One node, replication factor 1 everywhere, as the in-JVM broker (see KafkaBroker). */
    private String serverProperties() {
        String plaintext = "PLAINTEXT://127.0.0.1:" + port;
        String secure = secured == null ? "" : "," + SaslSslListener.NAME + "://127.0.0.1:" + securedPort;
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=" + plaintext + ",CONTROLLER://127.0.0.1:" + controllerPort + secure,
                "advertised.listeners=" + plaintext + secure,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
                        + (secured == null ? "" : "," + SaslSslListener.NAME + ":SASL_SSL"),
                "log.dirs=" + dataDir.toAbsolutePath(),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=5",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true"));
        if (secured != null) {
            lines.addAll(secured.brokerProperties());
            lines.add("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            // The controller link and the PLAINTEXT listener authenticate no one: their principal is ANONYMOUS.
            lines.add("super.users=User:ANONYMOUS");
        }
        return String.join("\n", lines) + "\n";
    }

    /** Surefire and failsafe put the test classpath in a manifest-only jar; they also name it in this property. */
    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
