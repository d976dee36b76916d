package dev.streamtemplate.runtime.errors;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.jboss.logging.Logger;

/**
 * Sends an input record that cannot be read to the dead-letter topic and goes on with the next one
 * (configured as {@code deserialization.exception.handler}, with
 * {@code errors.dead.letter.queue.topic.name}): Kafka Streams' own {@code LogAndContinueExceptionHandler}
 * with dead letters (KIP-1034), except that a value larger than {@link #MAX_DEAD_LETTER_VALUE_BYTES}
 * is left out of its dead letter.
 *
 * <p>Why: a dead letter carries the input record's key and value plus headers with the exception and
 * its stack trace. For an input record close to the broker's 1 MiB limit the dead letter is larger
 * than the producer may send, and under {@code exactly_once_v2} a record the producer refuses puts
 * its transaction into an error state: the stream thread fails and, after a restart, meets the same
 * record again. Without the value the dead letter is small; its headers still name the record's
 * topic, partition and offset, where the value stays for the topic's retention, and
 * {@value #HEADER_VALUE_OMITTED} gives its size.
 *
 * <p>Headers: those of Kafka Streams' dead letters ({@code __streams.errors.exception},
 * {@code .message}, {@code .stacktrace}, {@code .topic}, {@code .partition}, {@code .offset}), after
 * the input record's own headers. Kafka Streams counts each such record in its task-level
 * {@code dropped-records} metric, and {@link DeadLetterMetrics} counts it by topic and exception.
 */
public class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    /** Largest value a dead letter carries, in bytes (512 KiB: half the broker's default record limit). */
    public static final int MAX_DEAD_LETTER_VALUE_BYTES = 512 * 1024;
    /** Header: size in bytes of the value left out of the dead letter. */
    public static final String HEADER_VALUE_OMITTED = "__streams.errors.value.omitted.bytes";

    private static final Logger LOG = Logger.getLogger(DeadLetterDeserializationHandler.class);

    private String deadLetterTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        deadLetterTopic = topic == null ? null : String.valueOf(topic);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        LOG.warnf("unreadable record %s-%d@%d (task %s) goes to %s: %s", record.topic(), record.partition(), record.offset(),
                context.taskId(), deadLetterTopic == null ? "nowhere (no dead-letter topic configured)" : deadLetterTopic,
                exception.getMessage());
        if (deadLetterTopic == null) {
            return Response.resume();
        }
        DeadLetterMetrics.count(record.topic(), exception, "deserialization");
        return Response.resume(List.of(deadLetter(record, exception)));
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> record, Exception exception) {
        byte[] value = record.value();
        boolean omitted = value != null && value.length > MAX_DEAD_LETTER_VALUE_BYTES;
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(deadLetterTopic, (Integer) null, (Long) record.timestamp(),
                record.key(), omitted ? null : value);
        for (Header header : record.headers()) {
            letter.headers().add(header);
        }
        StringWriter stackTrace = new StringWriter();
        exception.printStackTrace(new PrintWriter(stackTrace));
        letter.headers()
                .add("__streams.errors.exception", utf8(exception.getClass().getName()))
                .add("__streams.errors.message", utf8(String.valueOf(exception.getMessage())))
                .add("__streams.errors.stacktrace", utf8(stackTrace.toString()))
                .add("__streams.errors.topic", utf8(record.topic()))
                .add("__streams.errors.partition", utf8(String.valueOf(record.partition())))
                .add("__streams.errors.offset", utf8(String.valueOf(record.offset())));
        if (omitted) {
            letter.headers().add(HEADER_VALUE_OMITTED, utf8(String.valueOf(value.length)));
        }
        return letter;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
