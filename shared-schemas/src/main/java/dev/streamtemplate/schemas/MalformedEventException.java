package dev.streamtemplate.schemas;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Thrown by {@link JsonSerde} when bytes on a topic are not a valid event of the expected type:
 * not JSON, a field of the wrong type, a required field missing, an unknown enum value or a value
 * outside its range.
 *
 * <p>It extends Kafka's {@link SerializationException}, so Kafka Streams' deserialization exception
 * handler sees it and, with {@code errors.dead.letter.queue.topic.name} set, sends the record to the
 * dead-letter topic (KIP-1034) with this message in the {@code __streams.errors.message} header.
 */
public class MalformedEventException extends SerializationException {

    private final String topic;
    private final Class<?> eventType;

    /**
     * @param topic     the topic the bytes came from, or {@code null} when unknown
     * @param eventType the type the bytes were read as
     * @param reason    what was wrong, in words a person can act on
     * @param cause     the parser's exception, or {@code null}
     */
    public MalformedEventException(String topic, Class<?> eventType, String reason, Throwable cause) {
        super("malformed " + eventType.getSimpleName() + (topic == null ? "" : " on topic '" + topic + "'")
                + ": " + reason, cause);
        this.topic = topic;
        this.eventType = eventType;
    }

    /** The topic the bytes came from, or {@code null} when unknown. */
    public String topic() {
        return topic;
    }

    /** The type the bytes were read as. */
    public Class<?> eventType() {
        return eventType;
    }
}
