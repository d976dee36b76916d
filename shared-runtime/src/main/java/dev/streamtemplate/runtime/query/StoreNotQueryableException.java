package dev.streamtemplate.runtime.query;

import java.time.Duration;

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

    /** When a retry is worth it, or {@code null} when it is not. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
