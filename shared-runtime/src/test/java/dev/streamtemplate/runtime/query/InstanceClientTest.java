package dev.streamtemplate.runtime.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP client that forwards queries: what it sends, what it returns, and its time limits. */
class InstanceClientTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    private static final Duration READ_TIMEOUT = Duration.ofMillis(300);

    /** {@code query.api-key} as the client sees it; none unless a test sets one. */
    private java.util.Optional<String> apiKey = java.util.Optional.empty();

    /** {@code query.forwarding-secret} as the client sees it at start-up; none unless a test sets one. */
    private java.util.Optional<String> forwardingSecret = java.util.Optional.empty();

    private Vertx vertx;
    private InstanceClient client;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        client = new InstanceClient();
        client.vertx = vertx;
        client.settings = new QueryRoutingSettings() {
            @Override
            public Duration connectTimeout() {
                return CONNECT_TIMEOUT;
            }

            @Override
            public Duration readTimeout() {
                return READ_TIMEOUT;
            }

            @Override
            public long standbyMaxLag() {
                return 10_000;
            }

            @Override
            public java.util.Optional<String> apiKey() {
                return apiKey;
            }

            @Override
            public java.util.Optional<String> forwardingSecret() {
                return forwardingSecret;
            }
        };
        client.init();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void sendsThePathQueryAndHeadersAndReturnsStatusHeadersAndBody() throws Exception {
        HttpServer server = server(request -> request.response()
                .setStatusCode(404)
                .putHeader("Content-Type", "application/json")
                .putHeader(QueryHeaders.SERVED_BY, "elsewhere:1")
                .end("{\"uri\":\"" + request.uri() + "\",\"forwardedBy\":\"" + request.getHeader(QueryHeaders.FORWARDED_BY)
                        + "\",\"accept\":\"" + request.getHeader("Accept") + "\"}"));

        InstanceClient.Answer answer = await(client.get(new HostInfo("localhost", server.actualPort()),
                "/page-views?page=%2Fhome&from=2026-11-21T10:00:00Z", Map.of(QueryHeaders.FORWARDED_BY, "here:2")));

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.headers().get("x-query-served-by")).as("case-insensitive").isEqualTo("elsewhere:1");
        assertThat(answer.contentType()).isEqualTo("application/json");
        assertThat(new String(answer.body())).isEqualTo("{\"uri\":\"/page-views?page=%2Fhome&from=2026-11-21T10:00:00Z\","
                + "\"forwardedBy\":\"here:2\",\"accept\":\"application/json\"}");
    }

    @Test
    void sendsTheApiKeyOnlyWhenOneIsSet() throws Exception {
        HttpServer server = server(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"authorization\":\"" + request.getHeader("Authorization") + "\"}"));
        HostInfo host = new HostInfo("localhost", server.actualPort());

        assertThat(new String(await(client.get(host, "/streams/instance", Map.of())).body()))
                .isEqualTo("{\"authorization\":\"null\"}");
        apiKey = java.util.Optional.of("k-1");
        assertThat(new String(await(client.get(host, "/streams/instance", Map.of())).body()))
                .isEqualTo("{\"authorization\":\"Bearer k-1\"}");
    }

    @Test
    void signsWhatItSendsWhenAForwardingSecretIsSet() throws Exception {
        List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
        ForwardedQuerySignature receiver = new ForwardedQuerySignature("a-shared-secret-of-the-test");
        HttpServer server = server(request -> {
            problems.add(receiver.problem(request.method().name(), request.uri(), request::getHeader,
                    request.getHeader(ForwardedQuerySignature.HEADER), System.currentTimeMillis()).orElse("valid"));
            request.response().end("{}");
        });
        HostInfo host = new HostInfo("localhost", server.actualPort());
        String uri = "/page-views?page=%2Fhome&from=2026-11-21T10:00:00Z";

        await(client.get(host, uri, Map.of(QueryHeaders.FORWARDED_BY, "here:2", QueryHeaders.SCOPE, "local")));
        client.close();
        forwardingSecret = java.util.Optional.of("a-shared-secret-of-the-test");
        client.init();
        await(client.get(host, uri, Map.of(QueryHeaders.FORWARDED_BY, "here:2", QueryHeaders.SCOPE, "local")));
        await(client.get(host, uri, Map.of(QueryHeaders.FORWARDED_BY, "here:2", QueryHeaders.REPLICA, "standby")));

        assertThat(problems).as("unsigned without a secret, then signed over the headers each request carries")
                .containsExactly("it has no X-Query-Signature header", "valid", "valid");
    }

    @Test
    void reusesOneConnectionForRequestsOneAfterTheOtherFromOneEventLoop() throws Exception {
        List<Object> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer server = server(request -> {
            if (!connections.contains(request.connection())) {
                connections.add(request.connection());
            }
            request.response().end("{}");
        });
        HostInfo host = new HostInfo("localhost", server.actualPort());
        // as the router sends them: from the event loop of the request being answered (the pool keeps connections
        // per event loop)
        io.vertx.core.Context eventLoop = vertx.getOrCreateContext();
        for (int i = 0; i < 5; i++) {
            CompletableFuture<InstanceClient.Answer> answer = new CompletableFuture<>();
            eventLoop.runOnContext(v -> client.get(host, "/q", Map.of()).onComplete(result -> {
                if (result.succeeded()) {
                    answer.complete(result.result());
                } else {
                    answer.completeExceptionally(result.cause());
                }
            }));
            assertThat(answer.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        assertThat(connections).hasSize(1);
    }

    @Test
    void anAnswerNotCompleteWithinTheReadTimeoutFails() throws Exception {
        // sends the headers and part of the body, then nothing: the whole answer is late
        HttpServer server = server(request -> request.response().setChunked(true).write("{\"partial\":"));
        long started = System.nanoTime();

        Throwable failure = failure(client.get(new HostInfo("localhost", server.actualPort()), "/slow", Map.of()));

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(failure).isInstanceOf(TimeoutException.class).hasMessageContaining("300 ms");
        assertThat(took).isGreaterThanOrEqualTo(READ_TIMEOUT).isLessThan(READ_TIMEOUT.plusSeconds(2));
    }

    @Test
    void aClosedPortFailsAtOnce() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        long started = System.nanoTime();

        Throwable failure = failure(client.get(new HostInfo("localhost", closedPort), "/q", Map.of()));

        assertThat(failure).isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(CONNECT_TIMEOUT);
    }

    private HttpServer server(io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> handler) throws Exception {
        return vertx.createHttpServer().requestHandler(handler).listen(0, "localhost")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(io.vertx.core.Future<?> future) throws Exception {
        CompletableFuture<?> completable = future.toCompletionStage().toCompletableFuture();
        try {
            completable.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("succeeded: " + completable.get());
    }
}
