package dev.streamtemplate.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * Waits until a service's readiness check ({@code GET /q/health/ready}) answers 200: Kafka Streams runs and no store
 * is restoring. A test that queries the service starts with it, so it does not depend on another test having waited.
 */
public final class ServiceReadiness {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ServiceReadiness() {
    }

    /**
     * Waits, polling every 200 ms.
     *
     * @param base  the service, such as {@code http://localhost:8081}
     * @param bound the longest wait
     * @throws org.awaitility.core.ConditionTimeoutException when it is not ready within {@code bound}
     */
    public static void await(URI base, Duration bound) {
        Awaitility.await(base + "/q/health/ready to answer 200").atMost(bound).pollInterval(Duration.ofMillis(200))
                .ignoreException(IOException.class)
                .until(() -> HTTP.send(HttpRequest.newBuilder(base.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5))
                        .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }
}
