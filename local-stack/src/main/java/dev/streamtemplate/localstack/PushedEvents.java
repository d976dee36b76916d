package dev.streamtemplate.localstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Counts the events of a Server-Sent Events stream by type (the {@code event:} lines), what live-updates pushed,
 * reading until every required type has arrived once or a bound has passed.
 */
final class PushedEvents {

    private PushedEvents() {
    }

    /**
     * @param http     the client
     * @param events   the stream, such as {@code http://localhost:8085/events?since=PT3H}
     * @param required the types to wait for
     * @param timeout  how long to read at most
     * @return events per type, sorted by type; {@code ready} and {@code resync} left out; empty when the stream could
     *         not be opened
     */
    static Map<String, Integer> count(HttpClient http, URI events, List<String> required, Duration timeout)
            throws InterruptedException {
        Map<String, Integer> counts = new TreeMap<>();
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(events).timeout(timeout).header("Accept", "text/event-stream").build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return counts;
        }
        CountDownLatch complete = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("event:")) {
                        String type = line.substring("event:".length()).trim();
                        if (!type.equals("ready") && !type.equals("resync")) {
                            synchronized (counts) {
                                counts.merge(type, 1, Integer::sum);
                                if (required.stream().allMatch(counts::containsKey)) {
                                    complete.countDown();
                                    return;
                                }
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // closed below, or by the service
            } finally {
                complete.countDown();
            }
        }, "pushed-events");
        reader.setDaemon(true);
        reader.start();
        complete.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            response.body().close();
        } catch (IOException e) {
            // the reader ends either way
        }
        synchronized (counts) {
            return new TreeMap<>(counts);
        }
    }
}
