package dev.streamtemplate.live;

import static org.awaitility.Awaitility.await;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Server-Sent Events client for tests: the JDK's HTTP client, the event stream parsed as the HTML standard says
 * (event, id, data lines; a blank line ends an event; comment lines ignored). {@link #start()} reads on its own
 * thread; a client that is never started takes nothing, so its server-side buffer fills.
 */
final class SseTestClient implements AutoCloseable {

    /** One event as received. */
    record Event(String name, String id, String data) {
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final InputStream body;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private volatile boolean ended;
    private int stopAfterRecords = Integer.MAX_VALUE;
    private long millisPerEvent;

    private SseTestClient(InputStream body) {
        this.body = body;
    }

    /**
     * Opens a stream and returns once the answer's headers arrived; reads nothing yet.
     *
     * @param uri         {@code http://127.0.0.1:<port>/events?...}
     * @param lastEventId sent as {@code Last-Event-ID} unless null
     */
    static SseTestClient open(URI uri, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String error = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            throw new IllegalStateException(uri + " answered " + response.statusCode() + ": " + error);
        }
        return new SseTestClient(response.body());
    }

    /** Starts reading events on a daemon thread. */
    SseTestClient start() {
        Thread reader = new Thread(this::read, "sse-test-client");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /**
     * Starts reading, and closes the stream as soon as {@code records} record events arrived: a client that goes away
     * mid-stream, having received exactly that many.
     */
    SseTestClient startAndLeaveAfter(int records) {
        stopAfterRecords = records;
        return start();
    }

    /** Starts reading, taking {@code millisPerEvent} ms over each event: a client on a slow link. */
    SseTestClient startSlowly(long millisPerEvent) {
        this.millisPerEvent = millisPerEvent;
        return start();
    }

    /** Opens and starts reading. */
    static SseTestClient connect(URI uri, String lastEventId) throws IOException, InterruptedException {
        return open(uri, lastEventId).start();
    }

    /** @return the events received so far, in order */
    List<Event> events() {
        return List.copyOf(events);
    }

    /** @return the events received so far that carry a record (not ready, not resync) */
    List<Event> records() {
        return events().stream().filter(e -> !e.name().equals("ready") && !e.name().equals("resync")).toList();
    }

    /** Waits (30 s at most) for the first event, and returns it. */
    Event awaitFirst() {
        await("the stream's first event").atMost(Duration.ofSeconds(30)).until(() -> !events.isEmpty() || ended);
        if (events.isEmpty()) {
            throw new AssertionError("the stream ended before its first event");
        }
        return events.get(0);
    }

    boolean ended() {
        return ended;
    }

    @Override
    public void close() throws IOException {
        body.close();
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = null;
            String id = null;
            List<String> data = new ArrayList<>();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty() || name != null) {
                        events.add(new Event(name == null ? "message" : name, id, String.join("\n", data)));
                        if (millisPerEvent > 0) {
                            Thread.sleep(millisPerEvent); // the client's own pace, not a wait for anything
                        }
                        if (records().size() >= stopAfterRecords) {
                            body.close();
                            return;
                        }
                    }
                    name = null;
                    id = null;
                    data.clear();
                } else if (line.startsWith(":")) {
                    continue;
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1);
                    if (value.startsWith(" ")) {
                        value = value.substring(1);
                    }
                    switch (field) {
                        case "event" -> name = value;
                        case "id" -> id = value;
                        case "data" -> data.add(value);
                        default -> { }
                    }
                }
            }
        } catch (IOException e) {
            // closed by the test, or by the server
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ended = true;
        }
    }
}
