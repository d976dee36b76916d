package dev.streamtemplate.systemtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;

/**
 * An HTTP client for interactive queries in the system tests: GET with a whole-request timeout, never throwing for an
 * HTTP or connection problem ({@link RoutedAnswer#status()} 0 then, with the reason in the body). (The benchmark's load
 * goes through {@link PlainHttpConnection}, which costs the shared CPUs less per request.)
 */
public final class QueryClient {

    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param connectTimeout the longest wait for a connection
     * @param timeout        the longest wait for a whole answer, connection included
     */
    public QueryClient(Duration connectTimeout, Duration timeout) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
        this.timeout = timeout;
    }

    /** The longest a request may take before it counts as unanswered. */
    public Duration timeout() {
        return timeout;
    }

    /** GETs {@code uri} and waits for the answer (at most {@link #timeout()}). */
    public RoutedAnswer get(URI uri) throws InterruptedException {
        return get(uri, Map.of());
    }

    /** GETs {@code uri} with extra request headers and waits for the answer (at most {@link #timeout()}). */
    public RoutedAnswer get(URI uri, Map<String, String> headers) throws InterruptedException {
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request(uri, headers), HttpResponse.BodyHandlers.ofString());
            return answer(uri, response, System.nanoTime() - started);
        } catch (IOException e) {
            return failure(uri, e, System.nanoTime() - started);
        }
    }

    private HttpRequest request(URI uri, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Accept", "application/json").GET();
        headers.forEach(request::header);
        return request.build();
    }

    private static RoutedAnswer answer(URI uri, HttpResponse<String> response, long latencyNanos) {
        var headers = response.headers();
        return new RoutedAnswer(uri, response.statusCode(), response.body(),
                headers.firstValue(RoutedAnswer.SERVED_BY).orElse(null),
                headers.firstValue(RoutedAnswer.REPLICA).orElse(null),
                headers.firstValue(RoutedAnswer.OFFSET_LAG).orElse(null),
                headers.firstValue(RoutedAnswer.PARTIAL).orElse(null),
                headers.firstValue("Retry-After").orElse(null),
                latencyNanos, false);
    }

    private static RoutedAnswer failure(URI uri, IOException error, long latencyNanos) {
        return new RoutedAnswer(uri, 0, error.toString(), null, null, null, null, null, latencyNanos,
                error instanceof HttpTimeoutException);
    }
}
