package io.genworker.intake;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.genworker.config.WorkerConfig;
import io.genworker.kafka.KafkaWriter;
import io.smallrye.mutiny.Uni;

/**
 * Sends records that are not requests at all to the dead-letter topic, unchanged, with the reason in headers. A
 * record too large for the dead-letter topic goes there without its value, its original headers and a key longer
 * than a job id may be (the reason and its position say where to find it): otherwise intake would retry it for ever
 * and stop.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    public static final String REASON = "dlq-reason";
    public static final String ORIGINAL_TOPIC = "dlq-original-topic";
    public static final String ORIGINAL_PARTITION = "dlq-original-partition";
    public static final String ORIGINAL_OFFSET = "dlq-original-offset";
    public static final String OMITTED = "dlq-omitted";

    private final KafkaWriter writer;
    private final String topic;
    private final int maxKeyChars;

    public DeadLetterPublisher(KafkaWriter writer, WorkerConfig config) {
        this.writer = writer;
        this.topic = config.topics().deadLetters();
        this.maxKeyChars = config.intake().maxJobIdLength();
    }

    public Uni<Void> send(ConsumerRecord<String, byte[]> original, String reason) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : original.headers()) {
            headers.add(header);
        }
        return writer.send(new ProducerRecord<>(topic, null, original.key(), original.value(),
                        withReason(headers, original, reason)))
                .onFailure(RecordTooLargeException.class).recoverWithUni(() -> {
                    RecordHeaders shortened = withReason(new RecordHeaders(), original, reason);
                    boolean keyKept = original.key() == null || original.key().length() <= maxKeyChars;
                    shortened.add(OMITTED, utf8("record too large for " + topic + ": value of "
                            + original.serializedValueSize() + " bytes, original headers"
                            + (keyKept ? "" : ", key of " + original.key().length() + " chars") + " left out"));
                    return writer.send(new ProducerRecord<>(topic, null, keyKept ? original.key() : null, null,
                            shortened));
                })
                .replaceWithVoid();
    }

    private static RecordHeaders withReason(RecordHeaders headers, ConsumerRecord<String, byte[]> original,
            String reason) {
        headers.add(REASON, utf8(reason));
        headers.add(ORIGINAL_TOPIC, utf8(original.topic()));
        headers.add(ORIGINAL_PARTITION, utf8(Integer.toString(original.partition())));
        headers.add(ORIGINAL_OFFSET, utf8(Long.toString(original.offset())));
        return headers;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
