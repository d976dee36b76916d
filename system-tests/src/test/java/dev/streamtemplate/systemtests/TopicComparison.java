package dev.streamtemplate.systemtests;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A derived topic compared with what its batch oracle says, as multisets of records (a record is whatever value
 * object the caller maps it to, compared with {@code equals}): how many of the expected records are missing, and how
 * many of the records read are surplus, split into duplicates (one more copy of an expected record) and records the
 * oracle has no copy of at all (a wrong count, a window that should not exist).
 *
 * @param topic     what was compared: a topic, or a topic's part (such as {@code late-events (page-views-tumbling)})
 * @param expected  records the oracle expects
 * @param read      records read from the topic ({@code read_committed})
 * @param missing   expected records not read
 * @param duplicate records read more often than expected, counting each surplus copy
 * @param unknown   records read that the oracle does not expect at all
 * @param examples  a few of the differences, for a failure message
 */
record TopicComparison(String topic, long expected, long read, long missing, long duplicate, long unknown,
                       List<String> examples) {

    /** Compares {@code actual} with {@code expected} as multisets. */
    static TopicComparison of(String topic, Collection<?> expected, Collection<?> actual) {
        Map<Object, Long> wanted = counts(expected);
        Map<Object, Long> got = counts(actual);
        long missing = 0;
        long duplicate = 0;
        long unknown = 0;
        List<String> examples = new java.util.ArrayList<>();
        for (Map.Entry<Object, Long> e : wanted.entrySet()) {
            long have = got.getOrDefault(e.getKey(), 0L);
            if (have < e.getValue()) {
                missing += e.getValue() - have;
                example(examples, "missing " + e.getKey());
            } else if (have > e.getValue()) {
                duplicate += have - e.getValue();
                example(examples, (have - e.getValue()) + " surplus " + e.getKey());
            }
        }
        for (Map.Entry<Object, Long> e : got.entrySet()) {
            if (!wanted.containsKey(e.getKey())) {
                unknown += e.getValue();
                example(examples, "unexpected " + e.getKey());
            }
        }
        return new TopicComparison(topic, expected.size(), actual.size(), missing, duplicate, unknown, List.copyOf(examples));
    }

    private static Map<Object, Long> counts(Collection<?> records) {
        Map<Object, Long> counts = new HashMap<>();
        records.forEach(r -> counts.merge(Objects.requireNonNullElse(r, "<null>"), 1L, Long::sum));
        return counts;
    }

    private static void example(List<String> examples, String line) {
        if (examples.size() < 5) {
            examples.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
        }
    }

    /** No record missing, none surplus. */
    boolean equal() {
        return missing == 0 && duplicate == 0 && unknown == 0;
    }

    /** One line for the summary table. */
    String line() {
        return String.format("%-46s expected %8d  read %8d  missing %6d  duplicates %6d  unexpected %6d%s", topic, expected,
                read, missing, duplicate, unknown, equal() ? "" : "   e.g. " + examples);
    }
}
