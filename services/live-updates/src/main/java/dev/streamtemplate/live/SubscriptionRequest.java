package dev.streamtemplate.live;

import java.util.List;

/**
 * The body of {@code POST /webhooks}.
 *
 * @param url    the callback, an absolute {@code http} or {@code https} URL to a public address
 * @param types  the event types to receive (pushed topics' names); at least one
 * @param secret the signing secret, 16 to 256 characters; absent: one is generated and returned once
 */
public record SubscriptionRequest(String url, List<String> types, String secret) {
}
