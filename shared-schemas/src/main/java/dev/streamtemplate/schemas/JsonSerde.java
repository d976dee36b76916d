package dev.streamtemplate.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serde} that writes a Java record as UTF-8 JSON and reads it back, rejecting input
 * that breaks the contract with a {@link MalformedEventException} that says what was wrong.
 *
 * <p>Rules: instants are ISO-8601 strings (the UTC form every event carries is read by {@link UtcInstantDeserializer},
 * anything else by Jackson's {@code JavaTimeModule}); unknown properties are ignored (a newer producer may add
 * fields); a missing primitive, an unknown enum constant, a wrong type or a failed check in the
 * record's constructor is an error. A {@code null} byte array (a tombstone) reads as {@code null}
 * and {@code null} writes as {@code null}.
 *
 * <p>Input events ({@link Event}s) have two more limits, so that one bad record cannot harm the rest:
 * at most {@link #MAX_EVENT_BYTES} bytes (every event here is well under 1 KiB; a huge value would
 * become huge keys, stores and output records), and an event time at most
 * {@link #MAX_EVENT_TIME_AHEAD} after this machine's clock (an event from the far future would move
 * stream time there and close every window at once, making everything after it late). The latter
 * is the broker's own default bound on record timestamps, {@code message.timestamp.after.max.ms}
 * (one hour, KIP-937).
 *
 * @param <T> the record type
 */
public final class JsonSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {

    /** The mapper every serde here shares; thread-safe once configured. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            // instants in the UTC form every event carries are read without DateTimeFormatter; later modules win
            .addModule(new SimpleModule("utc-instants").addDeserializer(Instant.class, new UtcInstantDeserializer()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .build();

    /** Largest serialized input event accepted, in bytes (64 KiB). */
    public static final int MAX_EVENT_BYTES = 64 * 1024;

    /** How far after the wall clock an input event's time may be (one hour, as the broker's default). */
    public static final java.time.Duration MAX_EVENT_TIME_AHEAD = java.time.Duration.ofHours(1);

    private final Class<T> type;
    /** Whether {@code type} is an input event, with the size and event-time limits. */
    private final boolean event;
    /** {@link #MAPPER} bound to {@code type} once, as Jackson advises for repeated use (no per-call lookup). */
    private final ObjectReader reader;
    /** {@link #MAPPER} bound to {@code type} once, for writing. */
    private final ObjectWriter writer;

    private JsonSerde(Class<T> type) {
        this.type = type;
        this.event = Event.class.isAssignableFrom(type);
        this.reader = MAPPER.readerFor(type);
        this.writer = MAPPER.writerFor(type);
    }

    /** A serde for {@code type}. */
    public static <T> JsonSerde<T> of(Class<T> type) {
        return new JsonSerde<>(type);
    }

    /** The type this serde reads and writes. */
    public Class<T> type() {
        return type;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            return writer.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException(topic, type, "cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Reads {@code data} as a {@code T}.
     *
     * @return the event, or {@code null} for a {@code null} array (a tombstone)
     * @throws MalformedEventException when the bytes are not a valid {@code T}
     */
    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (event && data.length > MAX_EVENT_BYTES) {
            throw new MalformedEventException(topic, type, "the value has " + data.length
                    + " bytes, more than the " + MAX_EVENT_BYTES + " an event may have", null);
        }
        try {
            T value = reader.readValue(data);
            if (value == null) {
                throw new MalformedEventException(topic, type, "the JSON value is null", null);
            }
            if (event) {
                Instant latest = Instant.now().plus(MAX_EVENT_TIME_AHEAD);
                Instant time = ((Event) value).eventTime();
                if (time.isAfter(latest)) {
                    throw new MalformedEventException(topic, type, "event time " + time + " is more than "
                            + MAX_EVENT_TIME_AHEAD.toMinutes() + " minutes after this machine's clock", null);
                }
            }
            return value;
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new MalformedEventException(topic, type, cause.getMessage(), e);
        } catch (InvalidFormatException e) {
            throw new MalformedEventException(topic, type, "field '" + path(e) + "' has invalid value "
                    + e.getValue() + (e.getTargetType() != null && e.getTargetType().isEnum()
                    ? " (not one of " + java.util.Arrays.toString(e.getTargetType().getEnumConstants()) + ")" : ""), e);
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw new MalformedEventException(topic, type, (field.isEmpty() ? "" : "field '" + field + "': ")
                    + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException(topic, type, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedEventException(topic, type, "unreadable: " + e.getMessage(), e);
        }
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the type is fixed at construction
    }

    @Override
    public void close() {
        // nothing to release
    }
}
