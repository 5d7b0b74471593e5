package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

class ApiTopicWriterTest {

    private static final ProducerRecord<String, byte[]> RECORD = new ProducerRecord<>("t", "job-1", new byte[] { 1 });

    @Test
    void aWriteCompletesOnceTheBrokerAcknowledgesIt() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());

        new ApiTopicWriter(producer, Duration.ofSeconds(1)).write(RECORD)
                .subscribe().withSubscriber(UniAssertSubscriber.create()).awaitItem(Duration.ofSeconds(5));

        assertThat(producer.history()).containsExactly(RECORD);
    }

    @Test
    void aWriteTheBrokerDoesNotAnswerFailsAfterTheTimeout() {
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(),
                new ByteArraySerializer());

        Throwable failure = new ApiTopicWriter(producer, Duration.ofMillis(200)).write(RECORD)
                .subscribe().withSubscriber(UniAssertSubscriber.create()).awaitFailure(Duration.ofSeconds(5))
                .getFailure();

        assertThat(failure).isInstanceOf(ApiTopicWriter.NotAcknowledged.class);
    }

    @Test
    void aRefusedWriteFailsWithoutNamingMoreThanTheKindOfRefusal() {
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(),
                new ByteArraySerializer());
        var pending = new ApiTopicWriter(producer, Duration.ofSeconds(5)).write(RECORD)
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        org.awaitility.Awaitility.await().until(() -> !producer.history().isEmpty());
        producer.errorNext(new TopicAuthorizationException("denied"));

        Throwable failure = pending.awaitFailure(Duration.ofSeconds(5)).getFailure();

        assertThat(failure).isInstanceOf(ApiTopicWriter.NotAcknowledged.class)
                .hasMessage("TopicAuthorizationException");
    }
}
