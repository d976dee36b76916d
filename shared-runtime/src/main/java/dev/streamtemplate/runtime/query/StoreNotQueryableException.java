package dev.streamtemplate.runtime.query;

import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The state store cannot answer now: Kafka Streams is starting, rebalancing or restoring the store,
 * or this instance does not host the key's partition. Answered with 503 and a {@code Retry-After}
 * header; the client retries, the server never busy-waits.
 */
public class StoreNotQueryableException extends RuntimeException {

    /** What a client is told to wait before retrying a store that is not queryable now. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final Duration retryAfter;

    /**
     * @param message    why the store is not queryable
     * @param retryAfter when a retry is worth it (sent in whole seconds, at least 1), or {@code null}
     *                   when no retry of this instance will help (Kafka Streams has stopped)
     */
    public StoreNotQueryableException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /**
     * What to tell a client in Kafka Streams' {@code state}: {@link #RETRY_AFTER}, or {@code null} (no retry of this
     * instance will help) once it has stopped or is stopping ({@code PENDING_SHUTDOWN}, {@code NOT_RUNNING},
     * {@code PENDING_ERROR}, {@code ERROR}), which its liveness check also reports.
     */
    public static Duration retryAfter(KafkaStreams.State state) {
        return switch (state) {
            case PENDING_SHUTDOWN, NOT_RUNNING, PENDING_ERROR, ERROR -> null;
            default -> RETRY_AFTER;
        };
    }

    /** When a retry is worth it, or {@code null} when it is not. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
