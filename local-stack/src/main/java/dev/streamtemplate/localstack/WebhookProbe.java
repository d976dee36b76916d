package dev.streamtemplate.localstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The demo's webhook receiver: an HTTP server on 127.0.0.1 subscribed to live-updates for some event types with a
 * secret of its own. It checks every request's {@code Webhook-Signature} (HMAC-SHA256 of the body), answers 204, and
 * counts the records received once per {@code Idempotency-Key}, by {@code Webhook-Event-Type}. {@link #close} removes
 * the subscription and stops the server.
 */
final class WebhookProbe implements AutoCloseable {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpServer server;
    private final String secret;
    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> byType = new ConcurrentHashMap<>();
    private final AtomicInteger badSignatures = new AtomicInteger();
    private final HttpClient http;
    private final URI liveUpdates;
    private String subscriptionId;

    private WebhookProbe(HttpClient http, URI liveUpdates) throws IOException {
        this.http = http;
        this.liveUpdates = liveUpdates;
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.secret = HexFormat.of().formatHex(random);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/local-stack-webhook", this::receive);
        server.start();
    }

    /**
     * Starts the receiver and subscribes it.
     *
     * @param liveUpdates live-updates' base URI, such as {@code http://localhost:8085}
     * @param types       the event types to receive
     * @throws IOException when live-updates does not answer 201 (its answer in the message)
     */
    static WebhookProbe subscribe(HttpClient http, URI liveUpdates, List<String> types)
            throws IOException, InterruptedException {
        WebhookProbe probe = new WebhookProbe(http, liveUpdates);
        String body = "{\"url\":\"" + probe.url() + "\",\"types\":[\"" + String.join("\",\"", types) + "\"],\"secret\":\""
                + probe.secret + "\"}";
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(liveUpdates.resolve("/webhooks"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher id = ID.matcher(answer.body());
        if (answer.statusCode() != 201 || !id.find()) {
            probe.server.stop(0);
            throw new IOException("POST /webhooks answered " + answer.statusCode() + ": " + answer.body());
        }
        probe.subscriptionId = id.group(1);
        return probe;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/local-stack-webhook";
    }

    /** @return records received with a valid signature, once per idempotency key, by event type, sorted */
    Map<String, Integer> received() {
        Map<String, Integer> counts = new TreeMap<>();
        byType.forEach((type, count) -> counts.put(type, count.get()));
        return counts;
    }

    /** @return requests whose signature did not match */
    int badSignatures() {
        return badSignatures.get();
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signature = exchange.getRequestHeaders().getFirst("Webhook-Signature");
            if (signature == null || !MessageDigest.isEqual(signature.getBytes(StandardCharsets.US_ASCII),
                    sign(body).getBytes(StandardCharsets.US_ASCII))) {
                badSignatures.incrementAndGet();
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            if (key != null && keys.add(key)) {
                byType.computeIfAbsent(String.valueOf(exchange.getRequestHeaders().getFirst("Webhook-Event-Type")),
                        type -> new AtomicInteger()).incrementAndGet();
            }
            exchange.sendResponseHeaders(204, -1);
        }
    }

    private String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Removes the subscription (so a later run does not call a receiver that is gone) and stops the server. */
    @Override
    public void close() {
        try {
            http.send(HttpRequest.newBuilder(liveUpdates.resolve("/webhooks/" + subscriptionId))
                    .timeout(Duration.ofSeconds(10)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // live-updates is stopping with the stack; its subscription stays and gets dead letters
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            server.stop(0);
        }
    }
}
