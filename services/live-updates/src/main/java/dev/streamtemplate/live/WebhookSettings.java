package dev.streamtemplate.live;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Webhook delivery settings ({@code webhooks.*}, each overridable by an environment variable such as
 * {@code WEBHOOKS_MAX_ATTEMPTS}).
 */
@ConfigMapping(prefix = "webhooks")
public interface WebhookSettings {

    /** @return attempts per delivery, the first included; after the last failed one it goes to {@code webhook-dlq} */
    @WithDefault("5")
    int maxAttempts();

    /**
     * @return the backoff cap before the second attempt; it doubles per attempt up to {@link #maxBackoff()}, and the
     *         wait is a random share of it ("full jitter", AWS Architecture Blog, "Exponential Backoff And Jitter")
     */
    @WithDefault("500ms")
    Duration initialBackoff();

    /** @return the largest backoff cap */
    @WithDefault("30s")
    Duration maxBackoff();

    /** @return how long one attempt may take, connection included; a receiver that hangs longer has failed it */
    @WithDefault("10s")
    Duration timeout();

    /**
     * @return whether callbacks may go to loopback, private, link-local and other non-public addresses; false (the
     *         default) refuses them, against server-side request forgery; true only for tests and local stacks
     */
    @WithDefault("false")
    boolean allowPrivateAddresses();

    /** @return the consumer group of the instances that deliver; each record goes to one of them */
    @WithDefault("live-updates-webhooks")
    String groupId();

    /** @return records delivered per batch; the batch's offsets are committed once all its deliveries ended */
    @WithDefault("100")
    int batchSize();
}
