package dev.streamtemplate.harness;

/**
 * Where a sample query's key comes from: what a service wrote to one of its derived topics after the replay, so that
 * the query asks about a user, page or product that has data, whatever the replay's start time made of the traffic.
 * {@link SampleKeys} reads the topic and picks the key.
 *
 * @param topic a derived topic, such as {@code orders}
 * @param field a top-level string field of the record's JSON value, such as {@code page}; {@code null} for the record
 *              key, and then only keys whose latest record is not a tombstone count
 */
public record SampleKey(String topic, String field) {

    /** The key of the records on {@code topic}. */
    public static SampleKey recordKey(String topic) {
        return new SampleKey(topic, null);
    }

    /** The string {@code field} of the JSON values on {@code topic}. */
    public static SampleKey valueField(String topic, String field) {
        return new SampleKey(topic, field);
    }

    @Override
    public String toString() {
        return field == null ? "a key of " + topic : "a " + field + " on " + topic;
    }
}
