package dev.streamtemplate.live;

import java.time.Instant;

/**
 * A webhook delivery given up, the value of its record in {@code webhook-dlq} (key: the subscription id).
 *
 * @param subscriptionId the subscription
 * @param url            the callback it was sent to
 * @param idempotencyKey the {@code Idempotency-Key} it carried: the source record's position
 * @param attempts       how many attempts were made
 * @param reason         why it was given up: the last attempt's status or error, or the address guard's refusal
 * @param lastStatus     the last answer's HTTP status; absent if there was none (timeout, refused connection)
 * @param failedAt       when it was given up, ISO-8601
 * @param event          what was to be delivered
 */
public record WebhookDeadLetter(String subscriptionId, String url, String idempotencyKey, int attempts, String reason,
                                Integer lastStatus, Instant failedAt, ResultEvent event) {
}
