package dev.streamtemplate.schemas;

import java.time.Instant;

/**
 * Checks used by the event records' compact constructors. A failed check throws
 * {@link IllegalArgumentException} naming the field, which {@link JsonSerde} turns into a
 * {@link MalformedEventException}.
 */
final class ContractViolation {

    private ContractViolation() {
    }

    static <T> T required(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing required field '" + field + "'");
        }
        return value;
    }

    static String requiredText(String value, String field) {
        required(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' must not be blank");
        }
        return value;
    }

    /** Event times before the Unix epoch cannot be Kafka record timestamps (KIP-228 forbids negatives). */
    static Instant eventTime(Instant value, String field) {
        required(value, field);
        if (value.isBefore(Instant.EPOCH)) {
            throw new IllegalArgumentException("field '" + field + "' is before 1970-01-01T00:00:00Z: " + value);
        }
        return value;
    }

    static int positive(int value, String field) {
        if (value <= 0) {
            throw new IllegalArgumentException("field '" + field + "' must be > 0, was " + value);
        }
        return value;
    }

    static long nonNegative(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException("field '" + field + "' must be >= 0, was " + value);
        }
        return value;
    }

    static String currency(String value, String field) {
        requiredText(value, field);
        if (!value.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("field '" + field + "' must be an ISO-4217 code like EUR, was '" + value + "'");
        }
        return value;
    }
}
