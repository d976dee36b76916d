package dev.streamtemplate.live;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A webhook subscription, the value of its record in {@code webhook-subscriptions} (key: {@link #id()}).
 *
 * @param id        a random UUID
 * @param url       the callback, an absolute {@code http} or {@code https} URL
 * @param types     the event types it receives, each a pushed topic's name
 * @param secret    the HMAC-SHA256 key of its signatures; absent in answers that list subscriptions
 * @param createdAt when it was registered, ISO-8601
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Subscription(String id, String url, List<String> types, String secret, Instant createdAt) {

    /** @return this subscription as lists show it, without its secret */
    public Subscription withoutSecret() {
        return new Subscription(id, url, types, null, createdAt);
    }
}
