package dev.streamtemplate.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One pushed result as users receive it, the same JSON as Server-Sent Event data and as webhook body:
 * {@code {"type","key","value","timestamp","topic","partition","offset"}}.
 *
 * @param type      the event type, the record's topic
 * @param key       the record's key (for windowed results {@code <page or user>@<window start ISO-8601>})
 * @param value     the record's JSON value; {@code null} for a tombstone (a retracted result); a value that is not
 *                  JSON as a string
 * @param timestamp the record's timestamp, ISO-8601 (for the stream services' results: stream time)
 * @param topic     the source topic
 * @param partition the source partition
 * @param offset    the source offset
 */
public record ResultEvent(String type, String key, JsonNode value, Instant timestamp, String topic, int partition,
                          long offset) {

    /**
     * @param record a record of a pushed topic
     * @param json   parses its value
     * @return the event
     */
    public static ResultEvent of(ConsumerRecord<String, byte[]> record, ObjectMapper json) {
        return new ResultEvent(record.topic(), record.key(), value(record.value(), json),
                Instant.ofEpochMilli(record.timestamp()), record.topic(), record.partition(), record.offset());
    }

    /** @return {@code <topic>:<partition>:<offset>}, the record's position, unique per record */
    public String position() {
        return topic + ":" + partition + ":" + offset;
    }

    private static JsonNode value(byte[] value, ObjectMapper json) {
        if (value == null) {
            return null;
        }
        try {
            return json.readTree(value);
        } catch (IOException e) {
            return TextNode.valueOf(new String(value, StandardCharsets.UTF_8));
        }
    }
}
