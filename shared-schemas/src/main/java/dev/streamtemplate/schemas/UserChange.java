package dev.streamtemplate.schemas;

import java.time.Instant;

/**
 * A change-data-capture envelope for the users table, on the compacted topic {@code user-changes},
 * keyed by {@code userId}. The shape follows Debezium's envelope (operation, before, after, source
 * timestamp).
 *
 * <p>Schema: {@code schemas/user-change.schema.json}. Images by operation:
 * <ul>
 *   <li>{@link Operation#CREATE}, {@link Operation#SNAPSHOT}: {@code before} null, {@code after} set;</li>
 *   <li>{@link Operation#UPDATE}: both set;</li>
 *   <li>{@link Operation#DELETE}: {@code before} set, {@code after} null. A delete is followed by a
 *       tombstone (a record with the same key and a null value) so that compaction can drop the key.</li>
 * </ul>
 *
 * @param op              what happened to the row
 * @param before          the row before the change, or {@code null}
 * @param after           the row after the change, or {@code null}
 * @param sourceTimestamp when the change was committed in the source database (event time)
 * @param version         the row's version in the source database, increasing by one per change of
 *                        that row; lets consumers ignore stale or duplicate envelopes
 */
public record UserChange(Operation op, UserProfile before, UserProfile after, Instant sourceTimestamp,
                         long version) implements Event {

    /** The operation of a change envelope. */
    public enum Operation {
        CREATE, UPDATE, DELETE, SNAPSHOT
    }

    public UserChange {
        ContractViolation.required(op, "op");
        ContractViolation.eventTime(sourceTimestamp, "sourceTimestamp");
        ContractViolation.nonNegative(version, "version");
        switch (op) {
            case CREATE, SNAPSHOT -> {
                ContractViolation.required(after, "after");
                if (before != null) {
                    throw new IllegalArgumentException("field 'before' must be null for " + op);
                }
            }
            case UPDATE -> {
                ContractViolation.required(before, "before");
                ContractViolation.required(after, "after");
            }
            case DELETE -> {
                ContractViolation.required(before, "before");
                if (after != null) {
                    throw new IllegalArgumentException("field 'after' must be null for DELETE");
                }
            }
        }
    }

    /** The user id of the changed row, from whichever image is present. */
    public String userId() {
        return after != null ? after.userId() : before.userId();
    }

    @Override
    public Instant eventTime() {
        return sourceTimestamp;
    }
}
