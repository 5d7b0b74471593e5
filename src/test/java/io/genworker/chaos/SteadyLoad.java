package io.genworker.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import io.genworker.support.Requests;
import io.genworker.support.WorkerTopics;

/** Requests sent at a steady pace from a thread of their own, until stopped: what the fleet changes happen under. */
final class SteadyLoad {

    private final String prefix;
    private final KafkaProducer<String, String> producer;
    private final List<String> ids = new CopyOnWriteArrayList<>();
    private final List<Future<RecordMetadata>> sent = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
    private boolean stopped;

    /** Starts sending one request every {@code every}, with job ids starting with {@code prefix}. */
    SteadyLoad(String bootstrapServers, String prefix, Duration every) {
        this.prefix = prefix;
        this.producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
                new StringSerializer());
        pace.scheduleAtFixedRate(this::sendOne, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sendOne() {
        int i = ids.size();
        String id = prefix + "-" + i + "-" + UUID.randomUUID();
        sent.add(producer.send(new ProducerRecord<>(WorkerTopics.REQUESTS, id, Requests.anyModel(id, i).toString())));
        ids.add(id);
    }

    int sent() {
        return ids.size();
    }

    /** Stops sending; returns the ids of the jobs sent, once every request has reached the broker. */
    synchronized List<String> stop() {
        if (!stopped) {
            stopped = true;
            pace.shutdown();
            try {
                pace.awaitTermination(30, TimeUnit.SECONDS);
                for (Future<RecordMetadata> request : sent) {
                    request.get(1, TimeUnit.MINUTES);
                }
            } catch (Exception e) {
                throw new AssertionError("a request did not reach the broker", e);
            } finally {
                producer.close(Duration.ofSeconds(10));
            }
        }
        return List.copyOf(ids);
    }
}
