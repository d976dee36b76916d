package dev.streamtemplate.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtemplate.schemas.JsonSerde;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Bad input for one input topic, made from a valid event of that topic: every kind of poison a stream
 * service meets, each of which must end on the service's dead-letter topic while valid records keep
 * flowing (issue: "bad input loses nothing").
 *
 * <p>The kinds: malformed JSON; a wrong type (an object where the event time belongs); a missing
 * required field; a null key on a keyed topic; a null value (a tombstone on an event stream); a value
 * over {@link JsonSerde#MAX_EVENT_BYTES}; a value so large that a dead letter carrying it could not be
 * written (about 1 MB: the producer's {@code max.request.size} default is 1 MiB), whose dead letter
 * must leave it out;
 * an unknown enum constant (when the event has one); an event time in the far future; a negative
 * event time.
 */
public final class PoisonRecords {

    /**
     * Size of the value whose dead letter is too large to write, in bytes: it fits the producer's and
     * the broker's limits of 1 MiB (1,048,576 bytes, with about 100 bytes of batch overhead), while
     * its dead letter, the same value plus headers with the exception and its stack trace, does not.
     */
    public static final int TOO_LARGE_FOR_A_DEAD_LETTER = 1_048_000;

    /**
     * One poison record.
     *
     * @param kind         what is wrong with it, for messages
     * @param topic        the input topic
     * @param key          the key bytes, or null
     * @param value        the value bytes, or null
     * @param expectation  a fragment of the dead letter's {@code __streams.errors.message} header
     */
    public record Poison(String kind, String topic, byte[] key, byte[] value, String expectation) {
    }

    /**
     * A poison record as the broker stored it.
     *
     * @param poison   the record
     * @param metadata its partition and offset
     */
    public record Sent(Poison poison, RecordMetadata metadata) {

        /**
         * The dead letter of this record among {@code deadLetters}: the one whose
         * {@code __streams.errors.topic/partition/offset} headers name it.
         *
         * @param deadLetters records read from the dead-letter topic
         * @return the dead letter, empty when there is none
         */
        public Optional<TopicRecord<?, ?>> deadLetterIn(List<? extends TopicRecord<?, ?>> deadLetters) {
            return deadLetters.stream().filter(letter -> poison.topic().equals(header(letter, "__streams.errors.topic"))
                            && String.valueOf(metadata.partition()).equals(header(letter, "__streams.errors.partition"))
                            && String.valueOf(metadata.offset()).equals(header(letter, "__streams.errors.offset")))
                    .<TopicRecord<?, ?>>map(letter -> letter).findFirst();
        }
    }

    private PoisonRecords() {
    }

    /**
     * Every kind of poison for {@code topic}.
     *
     * @param topic         the input topic
     * @param key           the key valid records of the topic carry
     * @param validEvent    a valid event of the topic, the base of every mutation
     * @param timeField     the JSON field of the event time, for example {@code timestamp}
     * @param requiredField a required JSON field to leave out, for example {@code userId}
     * @param enumField     a JSON field holding an enum constant, or null when the event has none
     * @param keyed         whether the topic requires a key (event streams do; a table's null key is
     *                      also refused)
     * @param tombstonesAreErrors whether a null value is an error (event streams) or a delete (tables)
     * @return the poison records, in a fixed order
     */
    public static List<Poison> forTopic(String topic, String key, Object validEvent, String timeField, String requiredField,
                                        String enumField, boolean keyed, boolean tombstonesAreErrors) {
        ObjectNode valid = JsonSerde.MAPPER.valueToTree(validEvent);
        byte[] keyBytes = utf8(key);
        List<Poison> poisons = new ArrayList<>();
        poisons.add(new Poison("malformed JSON", topic, keyBytes, utf8("{\"eventId\": \"broken"), "not valid JSON"));
        ObjectNode wrongType = valid.deepCopy();
        wrongType.putObject(timeField).put("seconds", 12);
        poisons.add(new Poison("wrong type", topic, keyBytes, json(wrongType), timeField));
        ObjectNode missing = valid.deepCopy();
        missing.remove(requiredField);
        poisons.add(new Poison("missing required field", topic, keyBytes, json(missing), requiredField));
        if (keyed) {
            poisons.add(new Poison("null key", topic, null, json(valid), "has no key"));
        }
        if (tombstonesAreErrors) {
            poisons.add(new Poison("null value", topic, keyBytes, null, "has no value"));
        }
        ObjectNode oversized = valid.deepCopy();
        oversized.put("padding", "x".repeat(JsonSerde.MAX_EVENT_BYTES));
        poisons.add(new Poison("oversized value", topic, keyBytes, json(oversized), "an event may have"));
        ObjectNode tooLarge = valid.deepCopy();
        tooLarge.put("padding", "");
        tooLarge.put("padding", "x".repeat(TOO_LARGE_FOR_A_DEAD_LETTER - json(tooLarge).length));
        poisons.add(new Poison("value too large for its dead letter", topic, keyBytes, json(tooLarge), "an event may have"));
        if (enumField != null) {
            ObjectNode unknownEnum = valid.deepCopy();
            unknownEnum.put(enumField, "NO_SUCH_CONSTANT");
            poisons.add(new Poison("unknown enum constant", topic, keyBytes, json(unknownEnum), "NO_SUCH_CONSTANT"));
        }
        ObjectNode future = valid.deepCopy();
        future.put(timeField, "9999-12-31T00:00:00Z");
        poisons.add(new Poison("event time in the far future", topic, keyBytes, json(future), "after this machine's clock"));
        ObjectNode negative = valid.deepCopy();
        negative.put(timeField, "1969-12-31T23:59:59Z");
        poisons.add(new Poison("negative event time", topic, keyBytes, json(negative), "before 1970-01-01T00:00:00Z"));
        return poisons;
    }

    /**
     * Writes {@code poisons} as raw bytes, in order, and waits for each to be acknowledged.
     *
     * @param bootstrapServers the broker
     * @param poisons          the records
     * @return each record with its partition and offset
     * @throws IllegalStateException when a record is not acknowledged within 30 s
     */
    public static List<Sent> publish(String bootstrapServers, List<Poison> poisons) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putAll(SecureKafkaCluster.adminSecurityFor(bootstrapServers));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576);
        List<Sent> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Poison poison : poisons) {
                RecordMetadata metadata = producer.send(new ProducerRecord<>(poison.topic(), poison.key(), poison.value()))
                        .get(30, TimeUnit.SECONDS);
                sent.add(new Sent(poison, metadata));
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("a poison record was not acknowledged: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing poison records", e);
        }
        return sent;
    }

    /**
     * The value of header {@code name} of {@code record} as UTF-8 text, or null when absent.
     *
     * @param record a record read from a topic
     * @param name   header name
     * @return the last value of the header
     */
    public static String header(TopicRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * The records of {@code topic} a service accepts as events (a key, a value, readable as
     * {@code type}), read with {@code read_committed}: the input without its poison, for an oracle.
     *
     * @param bootstrapServers the broker
     * @param topic            an input topic
     * @param type             its event type
     * @return the valid records in partition and offset order per partition
     */
    public static <V> List<TopicRecord<String, V>> validRecords(String bootstrapServers, String topic, Class<V> type) {
        return valid(bootstrapServers, topic, type, false);
    }

    /**
     * The records of table topic {@code topic} a service accepts: a key, and a value readable as
     * {@code type} or none (a tombstone, which deletes), read with {@code read_committed}.
     *
     * @param bootstrapServers the broker
     * @param topic            a compacted input topic
     * @param type             its value type
     * @return the valid records, tombstones included, in partition and offset order per partition
     */
    public static <V> List<TopicRecord<String, V>> validTableRecords(String bootstrapServers, String topic, Class<V> type) {
        return valid(bootstrapServers, topic, type, true);
    }

    private static <V> List<TopicRecord<String, V>> valid(String bootstrapServers, String topic, Class<V> type,
                                                          boolean tombstones) {
        JsonSerde<V> serde = JsonSerde.of(type);
        List<TopicRecord<String, V>> valid = new ArrayList<>();
        for (TopicRecord<String, byte[]> record : new TopicReader<>(bootstrapServers,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer()).readAll(topic)) {
            if (record.key() == null || (record.value() == null && !tombstones)) {
                continue;
            }
            try {
                valid.add(new TopicRecord<>(record.topic(), record.partition(), record.offset(), record.timestamp(),
                        record.key(), serde.deserialize(topic, record.value()), record.headers()));
            } catch (dev.streamtemplate.schemas.MalformedEventException e) {
                // poison: the service sends it to its dead-letter topic
            }
        }
        return valid;
    }

    /**
     * Every record of a dead-letter topic, values as raw bytes, read with {@code read_committed}.
     *
     * @param bootstrapServers the broker
     * @param deadLetterTopic  the service's dead-letter topic
     * @return the dead letters
     */
    public static List<TopicRecord<byte[], byte[]>> deadLetters(String bootstrapServers, String deadLetterTopic) {
        return new TopicReader<>(bootstrapServers, new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer()).readAll(deadLetterTopic);
    }

    private static byte[] json(ObjectNode node) {
        try {
            return JsonSerde.MAPPER.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
