package io.genworker.support;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A producer for unit tests that answers every send at once, except as scripted: the next few sends of a key fail
 * (as a broker short of replicas answers), sends to a topic without metadata fail as KafkaProducer reports them
 * (an already failed future, the callback called before send returns), and sends to a silent topic are never
 * answered. Counts every send it is handed, by topic and key.
 */
public final class ScriptedProducer extends MockProducer<String, byte[]> {

    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> sends = new ConcurrentHashMap<>();
    private final Set<String> withoutMetadata = ConcurrentHashMap.newKeySet();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    public ScriptedProducer() {
        super(true, null, new StringSerializer(), new ByteArraySerializer());
    }

    /** The next {@code count} sends of records with this key fail. */
    public ScriptedProducer failNext(String key, int count) {
        failuresLeft.put(key, new AtomicInteger(count));
        return this;
    }

    /** Sends to this topic fail as when the producer waited max.block.ms for its metadata, until {@link #heal}. */
    public ScriptedProducer noMetadataFor(String topic) {
        withoutMetadata.add(topic);
        return this;
    }

    /** Sends to this topic are taken but never answered, as by a broker that went away, until {@link #heal}. */
    public ScriptedProducer silence(String topic) {
        silent.add(topic);
        return this;
    }

    /** Sends to this topic fail as when the principal lacks WRITE on it, until {@link #heal}. */
    public ScriptedProducer refuse(String topic) {
        refused.add(topic);
        return this;
    }

    public void heal(String topic) {
        withoutMetadata.remove(topic);
        silent.remove(topic);
        refused.remove(topic);
    }

    /** How many sends of this topic and key the producer was handed (failed ones included). */
    public int sendsOf(String topic, String key) {
        AtomicInteger count = sends.get(topic + "/" + key);
        return count == null ? 0 : count.get();
    }

    /** How many sends of this topic the producer was handed. */
    public int sendsTo(String topic) {
        return sends.entrySet().stream().filter(e -> e.getKey().startsWith(topic + "/"))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        sends.computeIfAbsent(record.topic() + "/" + record.key(), k -> new AtomicInteger()).incrementAndGet();
        if (silent.contains(record.topic())) {
            return new CompletableFuture<>();
        }
        if (withoutMetadata.contains(record.topic())) {
            return failed(new TimeoutException("Topic " + record.topic() + " not present in metadata"), callback);
        }
        if (refused.contains(record.topic())) {
            return failed(new TopicAuthorizationException(Set.of(record.topic())), callback);
        }
        AtomicInteger left = failuresLeft.get(record.key());
        if (left != null && left.getAndDecrement() > 0) {
            return failed(new NotEnoughReplicasException("scripted failure of " + record.key()), callback);
        }
        return super.send(record, callback);
    }

    private static Future<RecordMetadata> failed(RuntimeException failure, Callback callback) {
        callback.onCompletion(null, failure);
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        future.completeExceptionally(failure);
        return future;
    }
}
