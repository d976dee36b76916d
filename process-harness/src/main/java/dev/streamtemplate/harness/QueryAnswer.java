package dev.streamtemplate.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The answer of a service to one HTTP GET, and a one-line summary of it for the console, such as
 * {@code 57 windows, last 2026-11-21T10:14Z..10:15Z: count 12}.
 *
 * @param uri    what was asked
 * @param status the HTTP status, or 0 when no answer came (connection refused, timeout)
 * @param body   the response body, or the error when no answer came
 */
public record QueryAnswer(URI uri, int status, String body) {

    /** How long one request may take. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter MINUTE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MINUTE_OF_DAY = DateTimeFormatter.ofPattern("HH:mm'Z'").withZone(ZoneOffset.UTC);
    /** Fields that only repeat what the query already named. */
    private static final Set<String> KEY_FIELDS = Set.of("page", "userId", "productId");
    private static final List<List<String>> INTERVAL_FIELDS = List.of(
            List.of("windowStart", "windowEnd"), List.of("start", "end"));

    /** GETs {@code uri}; never throws for an HTTP or connection problem (see {@link #status()}). */
    public static QueryAnswer fetch(HttpClient http, URI uri) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new QueryAnswer(uri, response.statusCode(), response.body());
        } catch (IOException e) {
            return new QueryAnswer(uri, 0, e.toString());
        }
    }

    /**
     * Whether the answer shows data: a 200 with a non-empty JSON array, or with a JSON object whose {@code results}
     * array (an answer that spans instances) is non-empty, or with any other JSON object (one entity, such as a cart).
     */
    public boolean hasData() {
        if (status != 200) {
            return false;
        }
        JsonNode json = parse();
        if (json == null) {
            return false;
        }
        if (json.isArray()) {
            return !json.isEmpty();
        }
        JsonNode results = json.get("results");
        return json.isObject() && (results == null || (results.isArray() && !results.isEmpty()));
    }

    /** One line for the console. */
    public String summary() {
        if (status == 0) {
            return "no answer (" + body + ")";
        }
        if (status != 200) {
            return "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body.strip(), 120));
        }
        JsonNode json = parse();
        if (json == null) {
            return abbreviate(body.strip(), 120);
        }
        JsonNode results = json.get("results");
        if (json.isObject() && results != null && results.isArray()) { // an answer that spans instances
            return results.isEmpty() ? "none yet (no results)"
                    : results.size() + (results.size() == 1 ? " result" : " results") + ", first "
                    + abbreviate(results.get(0).toString(), 100);
        }
        if (!json.isArray()) {
            return abbreviate(json.toString(), 120);
        }
        if (json.isEmpty()) {
            return "none yet (empty array)";
        }
        JsonNode last = json.get(json.size() - 1);
        boolean windows = last.has("windowStart");
        String noun = json.size() == 1 ? (windows ? "window" : "entry") : (windows ? "windows" : "entries");
        return json.size() + " " + noun + ", last " + describe(last);
    }

    private static String describe(JsonNode element) {
        if (!element.isObject()) {
            return element.toString();
        }
        List<String> parts = new ArrayList<>();
        String interval = null;
        Set<String> shown = new java.util.HashSet<>(KEY_FIELDS);
        for (List<String> pair : INTERVAL_FIELDS) {
            if (element.has(pair.get(0)) && element.has(pair.get(1))) {
                interval = interval(element.get(pair.get(0)), element.get(pair.get(1)));
                shown.addAll(pair);
                break;
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = element.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!shown.contains(field.getKey())) {
                JsonNode value = field.getValue();
                parts.add(field.getKey() + " " + (value.isTextual() ? value.asText() : value.toString()));
            }
        }
        String fields = abbreviate(String.join(", ", parts), 100);
        return interval == null ? fields : interval + (fields.isEmpty() ? "" : ": " + fields);
    }

    private static String interval(JsonNode start, JsonNode end) {
        Instant from = instant(start);
        Instant to = instant(end);
        if (from == null || to == null) {
            return start.asText() + ".." + end.asText();
        }
        boolean sameDay = from.truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                .equals(to.truncatedTo(java.time.temporal.ChronoUnit.DAYS));
        return MINUTE.format(from) + ".." + (sameDay ? MINUTE_OF_DAY : MINUTE).format(to);
    }

    private static Instant instant(JsonNode node) {
        if (node.isNumber()) {
            return Instant.ofEpochMilli(node.asLong());
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private JsonNode parse() {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String abbreviate(String text, int max) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 3) + "...";
    }
}
