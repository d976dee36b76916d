package dev.streamtemplate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a running service hostile HTTP requests over raw sockets (so that bytes no HTTP client would send get
 * through) and checks every answer: a status below 500, or 503 with {@code Retry-After}; a JSON body (a stream of
 * Server-Sent Events, when a route opens one, is read up to its head); no stack trace.
 * The requests are generated from the routes of the service's OpenAPI document ({@code GET /q/openapi?format=json}),
 * each parameter (path or query) replaced with one of:
 * <ul>
 *   <li>bad percent-encoding ({@code %}, {@code %zz}, {@code %c3%28}, {@code %00}...) and raw bytes that are not
 *       UTF-8 (0x80 to 0xFF in the request line);</li>
 *   <li>path traversal ({@code ../../etc/passwd}, {@code %2e%2e%2f}, {@code ..;/});</li>
 *   <li>huge values (up to 60,000 characters, so a request line up to about 60 KB), malformed numbers and instants,
 *       injection strings, control characters;</li>
 * </ul>
 * plus unknown and repeated parameters, very long headers (up to about 60 KB) and many headers, other methods, and a
 * round of {@value #CONCURRENT} connections open at once. Every request is still an HTTP/1.1 request: a raw space in
 * the URI, which would make the request line something else, is sent as {@code %20}; a request line Vert.x cannot
 * parse gets its 400 with no body, outside what a service can change. The limits the service answers long requests at are
 * shared-runtime's ({@code quarkus.http.limits.*}); requests longer than those are outside what this sends.
 */
public final class HostileRequests {

    /** Connections held open at once in the concurrent round. */
    public static final int CONCURRENT = 256;

    private static final int LONGEST_URI = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(20);
    private static final String[] BAD_ENCODING = {"%", "%z", "%zz", "%%", "%0", "%c3%28", "%ff%fe", "%00", "%e2%82",
            "%C0%AF", "%ED%A0%80", "a%", "%u0041", "%2"};
    private static final String[] TRAVERSAL = {"../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2f",
            "..;/..;/", "....//....//", "%252e%252e%252f", "..\\..\\windows", "/%2e%2e/%2e%2e/q/health"};
    private static final String[] MALFORMED = {"", " ", "-1", "0", "99999999999999999999999999", "NaN", "1e309",
            "2026-13-45T99:99:99Z", "2026-12-04T10:00:00", "0000-00-00T00:00:00Z", "+999999999-12-31T23:59:59Z",
            "' OR 1=1 --", "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}", "{{7*7}}", "%0d%0aSet-Cookie:x=1",
            "%F0%9F%92%A9", "null", "true", "[]", "{}", "\"", "%22%7B%7D", "a,b,c", "*", "%2a", "%20%09%0a"};
    private static final String[] METHODS = {"GET", "GET", "GET", "GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH",
            "OPTIONS", "HEAD", "TRACE", "PROPFIND"};

    /**
     * What was sent and what came back.
     *
     * @param sent     requests sent, the concurrent round included
     * @param byStatus how many answers had each status
     * @param failed   how many answers broke the rules
     * @param failures the first of them (at most 20), each with its request line and what was wrong
     */
    public record Outcome(int sent, Map<Integer, Integer> byStatus, int failed, List<String> failures) {
    }

    private record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    private final String host;
    private final int port;
    private final List<Route> routes;
    private final Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failureCount = new AtomicInteger();

    private record Route(String template, List<String> pathParameters, List<String> queryParameters) {
    }

    private HostileRequests(URI base) {
        this.host = base.getHost();
        this.port = base.getPort();
        this.routes = routes(base);
    }

    /**
     * Sends {@code count} generated requests, 8 at a time, then the concurrent round.
     *
     * @param base  the service, {@code http://127.0.0.1:<port>}
     * @param count how many generated requests
     * @param seed  the generator's seed, so that a failing run can be repeated
     * @return what was sent and the answers that broke the rules
     */
    public static Outcome send(URI base, int count, long seed) {
        HostileRequests requests = new HostileRequests(base);
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int worker = 0; worker < 8; worker++) {
                Random random = new Random(seed + worker);
                int share = count / 8 + (worker < count % 8 ? 1 : 0);
                sent.add(senders.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        requests.sendOne(requests.generate(random));
                    }
                }));
            }
            for (Future<?> future : sent) {
                future.get();
            }
            requests.concurrentRound(new Random(seed - 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            senders.shutdownNow();
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        requests.byStatus.forEach((status, n) -> statuses.put(status, n.get()));
        return new Outcome(count + CONCURRENT, statuses, requests.failureCount.get(), List.copyOf(requests.failures));
    }

    /**
     * {@link #send}s the requests and fails unless every answer kept the rules and the service is still live and
     * ready afterwards; prints the figures.
     *
     * @param base  the service, {@code http://127.0.0.1:<port>}
     * @param count how many generated requests (the concurrent round comes on top)
     * @param seed  the generator's seed
     * @return what was sent
     * @throws AssertionError naming the first requests that broke the rules, or the health check that failed
     */
    public static Outcome verify(URI base, int count, long seed) {
        long start = System.nanoTime();
        Outcome outcome = send(base, count, seed);
        System.out.printf("hostile requests to %s: %d sent (seed %d) in %d ms, answers by status %s, %d broke the"
                        + " rules%n", base, outcome.sent(), seed, (System.nanoTime() - start) / 1_000_000,
                outcome.byStatus(), outcome.failed());
        if (outcome.failed() > 0) {
            throw new AssertionError(outcome.failed() + " of " + outcome.sent() + " hostile requests got an answer"
                    + " that is not a JSON 4xx/2xx (or 503 with Retry-After); the first:\n  "
                    + String.join("\n  ", outcome.failures()));
        }
        org.awaitility.Awaitility.await("the service live and ready after the hostile requests")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                        status(base.resolve("/q/health/live")) == 200 && status(base.resolve("/q/health/ready")) == 200);
        return outcome;
    }

    private static int status(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(ANSWER_TIMEOUT).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static List<Route> routes(URI base) {
        try {
            HttpResponse<String> document = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    base.resolve("/q/openapi?format=json")).timeout(ANSWER_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode paths = JSON.readTree(document.body()).path("paths");
            List<Route> routes = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> path = it.next();
                List<String> inPath = new ArrayList<>();
                List<String> inQuery = new ArrayList<>();
                for (JsonNode parameter : path.getValue().path("get").path("parameters")) {
                    ("path".equals(parameter.path("in").asText()) ? inPath : inQuery).add(parameter.path("name").asText());
                }
                routes.add(new Route(path.getKey(), inPath, inQuery));
            }
            if (routes.isEmpty()) {
                throw new IllegalStateException("no route in " + base + "/q/openapi");
            }
            return routes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One request, as the bytes of its request line and headers. */
    private byte[] generate(Random random) {
        Route route = routes.get(random.nextInt(routes.size()));
        String path = route.template();
        for (String name : route.pathParameters()) {
            path = path.replace("{" + name + "}", value(random));
        }
        StringBuilder query = new StringBuilder();
        for (String name : route.queryParameters()) {
            if (random.nextInt(4) > 0) {
                query.append(query.isEmpty() ? "?" : "&").append(name).append('=').append(value(random));
                if (random.nextInt(10) == 0) {
                    query.append('&').append(name).append('=').append(value(random)); // repeated
                }
            }
        }
        if (random.nextInt(6) == 0) {
            query.append(query.isEmpty() ? "?" : "&").append(value(random)).append('=').append(value(random));
        }
        if (random.nextInt(20) == 0) {
            path = TRAVERSAL[random.nextInt(TRAVERSAL.length)] + path;
        }
        String method = METHODS[random.nextInt(METHODS.length)];
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes((method + " ").getBytes(StandardCharsets.ISO_8859_1));
        String uri = (path.startsWith("/") ? path : "/" + path) + query;
        // below Vert.x' own limit (64 KiB, shared-http), past which it answers 414 itself with no body
        request.writeBytes(uri.substring(0, Math.min(uri.length(), LONGEST_URI)).getBytes(StandardCharsets.ISO_8859_1));
        if (random.nextInt(10) == 0) {
            for (int i = 0; i < 1 + random.nextInt(8); i++) {
                request.write(0x80 + random.nextInt(0x80)); // raw bytes that are not UTF-8
            }
        }
        request.writeBytes((" HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        switch (random.nextInt(12)) {
            case 0 -> header(request, "X-Filler", "v".repeat(1 + random.nextInt(60_000)));
            case 1 -> {
                for (int i = 0; i < 100 + random.nextInt(200); i++) {
                    header(request, "X-Many-" + i, Integer.toString(i));
                }
            }
            case 2 -> header(request, "Accept", random.nextBoolean() ? "text/html" : "application/xml;q=0.9, */*;q=0");
            case 3 -> header(request, "Authorization", "Bearer " + value(random));
            case 4 -> header(request, "Content-Type", "application/json");
            case 5 -> header(request, "Accept-Charset", "\u00ff\u00fe");
            default -> {
            }
        }
        request.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return request.toByteArray();
    }

    private static void header(ByteArrayOutputStream request, String name, String value) {
        request.writeBytes((name + ": " + value + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A parameter value as it stands in the URI: spaces encoded, as any client does (a raw one ends the URI). */
    private static String value(Random random) {
        return rawValue(random).replace(" ", "%20");
    }

    private static String rawValue(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> BAD_ENCODING[random.nextInt(BAD_ENCODING.length)];
            case 1 -> TRAVERSAL[random.nextInt(TRAVERSAL.length)];
            case 2 -> "k".repeat(1 + random.nextInt(random.nextInt(10) == 0 ? 60_000 : 2_000));
            case 3 -> "u-" + BAD_ENCODING[random.nextInt(BAD_ENCODING.length)] + "-1";
            default -> MALFORMED[random.nextInt(MALFORMED.length)];
        };
    }

    private void sendOne(byte[] request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) ANSWER_TIMEOUT.toMillis());
            socket.setSoTimeout((int) ANSWER_TIMEOUT.toMillis());
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            check(request, read(socket.getInputStream()));
        } catch (IOException e) {
            fail(request, "no answer: " + e);
        }
    }

    private void concurrentRound(Random random) {
        List<Socket> sockets = new ArrayList<>();
        List<byte[]> requests = new ArrayList<>();
        try {
            for (int i = 0; i < CONCURRENT; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress(host, port), (int) ANSWER_TIMEOUT.toMillis());
                socket.setSoTimeout((int) ANSWER_TIMEOUT.toMillis());
                sockets.add(socket);
            }
            for (Socket socket : sockets) {
                byte[] request = generate(random);
                requests.add(request);
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
            }
            for (int i = 0; i < sockets.size(); i++) {
                try {
                    check(requests.get(i), read(sockets.get(i).getInputStream()));
                } catch (IOException e) {
                    fail(requests.get(i), "no answer in the concurrent round: " + e);
                }
            }
        } catch (IOException e) {
            fail(new byte[0], "could not open " + CONCURRENT + " connections at once: " + e);
        } finally {
            for (Socket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int end = -1;
        while (end < 0) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("no whole answer head in " + received.size() + " bytes");
            }
            received.write(buffer, 0, n);
            end = indexOf(received.toByteArray(), "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        if (!new String(received.toByteArray(), 0, end, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT)
                .contains("content-type: text/event-stream")) {
            received.write(in.readAllBytes()); // Connection: close
        } // else an open stream of Server-Sent Events: the head is the answer
        byte[] all = received.toByteArray();
        String[] head = new String(all, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(head[0].split(" ")[1]);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            headers.put(head[i].substring(0, colon).trim(), head[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(all, end + 4, all.length);
        if ("chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
            body = dechunked(body);
        }
        return new Answer(status, headers, body);
    }

    private static byte[] dechunked(byte[] chunked) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (at < chunked.length) {
            int lineEnd = indexOf(java.util.Arrays.copyOfRange(chunked, at, chunked.length), new byte[] {'\r', '\n'});
            int size = Integer.parseInt(new String(chunked, at, lineEnd, StandardCharsets.ISO_8859_1).split(";")[0]
                    .trim(), 16);
            if (size == 0) {
                break;
            }
            body.write(chunked, at + lineEnd + 2, size);
            at += lineEnd + 2 + size + 2;
        }
        return body.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void check(byte[] request, Answer answer) {
        byStatus.computeIfAbsent(answer.status(), s -> new AtomicInteger()).incrementAndGet();
        boolean head = method(request).equals("HEAD");
        if (answer.status() >= 500 && !(answer.status() == 503 && answer.headers().containsKey("Retry-After"))) {
            fail(request, "status " + answer.status() + " " + new String(answer.body(), StandardCharsets.UTF_8));
            return;
        }
        if (head || method(request).equals("OPTIONS") && answer.status() < 300 && answer.body().length == 0) {
            return; // a HEAD answer has no body (RFC 9110, 9.3.2), nor need one to OPTIONS (9.3.7)
        }
        String type = answer.headers().getOrDefault("Content-Type", "");
        if (answer.status() == 200 && type.startsWith("text/event-stream")) {
            return; // a stream of Server-Sent Events was opened, as asked
        }
        if (!type.startsWith("application/json")) {
            fail(request, "status " + answer.status() + " with Content-Type '" + type + "' and " + answer.body().length
                    + " bytes: " + new String(answer.body(), 0, Math.min(200, answer.body().length), StandardCharsets.UTF_8));
            return;
        }
        String body = new String(answer.body(), StandardCharsets.UTF_8);
        try {
            JSON.readTree(body);
        } catch (IOException e) {
            fail(request, "status " + answer.status() + " body is not JSON: " + body.substring(0, Math.min(200, body.length())));
            return;
        }
        if (answer.status() >= 400 && (body.contains("\tat ") || body.contains("Exception:") || body.contains(".java:"))) {
            fail(request, "status " + answer.status() + " shows a stack trace: " + body.substring(0, Math.min(300, body.length())));
        }
    }

    private static String method(byte[] request) {
        String start = new String(request, 0, Math.min(request.length, 10), StandardCharsets.ISO_8859_1);
        return start.contains(" ") ? start.substring(0, start.indexOf(' ')) : start;
    }

    private void fail(byte[] request, String what) {
        if (failureCount.incrementAndGet() <= 20) {
            String line = new String(request, 0, Math.min(request.length, 300), StandardCharsets.ISO_8859_1).split("\r\n")[0];
            failures.add(line.substring(0, Math.min(line.length(), 200)) + " (" + request.length + " bytes): " + what);
        }
    }
}
