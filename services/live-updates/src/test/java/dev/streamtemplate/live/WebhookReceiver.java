package dev.streamtemplate.live;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver for tests on 127.0.0.1 (the JDK's HTTP server): records every request and answers with the
 * status its rule gives for the n-th request with the same {@code Idempotency-Key} (from 1); a negative status hangs
 * without answering until {@link #close()}. It deduplicates like a real receiver: {@link #accepted()} keeps the first
 * 2xx request per key.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One request as received. */
    record Request(String idempotencyKey, int attempt, String signature, String subscription, String eventType,
                   byte[] body, int status) {
    }

    /** The rule's answer that hangs instead of answering. */
    static final int HANG = -1;

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Request> accepted = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    /** @param rule the status for the n-th request of a key */
    WebhookReceiver(IntUnaryOperator rule) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/hook", exchange -> handle(exchange, rule));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** @return the first accepted request per idempotency key: the logical deliveries */
    Map<String, Request> accepted() {
        return Map.copyOf(accepted);
    }

    private void handle(HttpExchange exchange, IntUnaryOperator rule) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        int n = seen.computeIfAbsent(String.valueOf(key), k -> new AtomicInteger()).incrementAndGet();
        int status = rule.applyAsInt(n);
        Request request = new Request(key, Integer.parseInt(exchange.getRequestHeaders().getFirst("Webhook-Attempt")),
                exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER),
                exchange.getRequestHeaders().getFirst("Webhook-Subscription"),
                exchange.getRequestHeaders().getFirst("Webhook-Event-Type"), body, status);
        requests.add(request);
        if (status == HANG) {
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        if (status / 100 == 2) {
            accepted.putIfAbsent(key, request);
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
