package io.genworker.intake;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.genworker.config.WorkerConfig;
import io.genworker.kafka.KafkaAuthorization;
import io.genworker.kafka.KafkaSettings;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.ClientCustomizer;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * The intake channel's Kafka consumer, which the connector creates and polls: its client id (see
 * {@link KafkaSettings#clientId}), and the permissions the broker refuses it.
 * <p>
 * The connector retries a failed poll for ever, every {@code retry-max-wait} seconds at most, and tells of each
 * failure only in its log (SRMSG18285, on its category {@value #CONNECTOR_CATEGORY}); its health checks stay UP.
 * So this listens to that category for authorization failures, which it records as the intake's refusal. The
 * refusal ends with an assignment (the group answered again) or once no failure has come for a session timeout and
 * two retry intervals (see {@link #quiet}).
 */
@ApplicationScoped
@Identifier(IntakeConsumer.NAME)
public class IntakeConsumer implements ClientCustomizer<Map<String, Object>>, KafkaConsumerRebalanceListener {

    /** The name the channel's {@code consumer-rebalance-listener.name} gives this listener. */
    public static final String NAME = "intake-consumer";
    /** This consumer's role in its client id and in {@link KafkaAuthorization}. */
    static final String CLIENT = "intake";
    static final String CONNECTOR_CATEGORY = "io.smallrye.reactive.messaging.kafka";
    private static final Duration CHECK_EVERY = Duration.ofSeconds(5);
    /** Kafka's default session.timeout.ms, which the KIP-848 protocol's broker side also defaults to. */
    private static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(45);

    private final Map<String, Object> kafka;
    private final WorkerConfig config;
    private final KafkaAuthorization authorization;
    private final long quietNanos;
    private final LongSupplier nanoTime;
    private final Handler failures = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getThrown() != null) {
                failed(record.getThrown());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    /** When the last authorization failure came (nano time); guarded by this. */
    private long lastRefusedAt;
    private boolean refused;
    private Cancellable ticks;

    @Inject
    public IntakeConsumer(@Identifier("default-kafka-broker") Map<String, Object> kafka, WorkerConfig config,
            KafkaAuthorization authorization,
            @ConfigProperty(name = "mp.messaging.incoming.requests.retry-max-wait", defaultValue = "30")
            int retryMaxWaitSeconds,
            @ConfigProperty(name = "mp.messaging.incoming.requests.session.timeout.ms")
            Optional<Long> sessionTimeoutMs) {
        this(kafka, config, authorization, quiet(Duration.ofSeconds(retryMaxWaitSeconds), sessionTimeoutMs
                .or(() -> Optional.ofNullable(kafka.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG))
                        .map(value -> Long.parseLong(value.toString())))
                .map(Duration::ofMillis).orElse(DEFAULT_SESSION_TIMEOUT)), System::nanoTime);
    }

    /**
     * How long without a failure ends a refusal. Polls that fail are retried, and logged, at most a retry interval
     * apart; but a member whose heartbeats are refused (READ on the group taken away) hears nothing until the group
     * expels it after its session timeout and refuses its rejoin, which the poll then throws.
     */
    static Duration quiet(Duration retryMaxWait, Duration sessionTimeout) {
        return sessionTimeout.plus(retryMaxWait.multipliedBy(2));
    }

    IntakeConsumer(Map<String, Object> kafka, WorkerConfig config, KafkaAuthorization authorization,
            Duration quiet, LongSupplier nanoTime) {
        this.kafka = kafka;
        this.config = config;
        this.authorization = authorization;
        this.quietNanos = quiet.toNanos();
        this.nanoTime = nanoTime;
    }

    @PostConstruct
    void listen() {
        Logger.getLogger(CONNECTOR_CATEGORY).addHandler(failures);
        ticks = Multi.createFrom().ticks().every(CHECK_EVERY).subscribe().with(tick -> checkQuiet());
    }

    @PreDestroy
    void stopListening() {
        Logger.getLogger(CONNECTOR_CATEGORY).removeHandler(failures);
        if (ticks != null) {
            ticks.cancel();
        }
    }

    /** The channel's consumer gets the worker's client id instead of the connector's "kafka-consumer-requests". */
    @Override
    public Map<String, Object> customize(String channel, Config channelConfig, Map<String, Object> clientConfig) {
        if (!RequestIntake.CHANNEL.equals(channel)) {
            return clientConfig;
        }
        Map<String, Object> customized = new HashMap<>(clientConfig);
        customized.put(ConsumerConfig.CLIENT_ID_CONFIG, KafkaSettings.clientId(kafka, config, CLIENT));
        return customized;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        synchronized (this) {
            refused = false;
        }
        authorization.allowed(CLIENT);
    }

    /** A failure the connector logged: the only Kafka channel is intake's, so its refusals are intake's. */
    void failed(Throwable failure) {
        KafkaAuthorization.authorizationFailure(failure).ifPresent(denied -> {
            synchronized (this) {
                refused = true;
                lastRefusedAt = nanoTime.getAsLong();
            }
            authorization.refused(CLIENT, KafkaAuthorization.permission(denied, "READ"), denied);
        });
    }

    void checkQuiet() {
        synchronized (this) {
            if (!refused || nanoTime.getAsLong() - lastRefusedAt < quietNanos) {
                return;
            }
            refused = false;
        }
        authorization.allowed(CLIENT);
    }
}
