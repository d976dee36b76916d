package dev.streamtemplate.harness;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How the local stack runs one Quarkus service: its fast-jar, HTTP port, JVM options, extra environment, and the
 * queries worth showing. The launcher itself sets what every service gets: {@code KAFKA_BOOTSTRAP_SERVERS},
 * {@code QUARKUS_HTTP_PORT}, {@code KAFKA_STREAMS_STATE_DIR} (under the data directory) and
 * {@code QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER}.
 *
 * @param name          the service's directory under {@code services/}, and its name on the console
 * @param httpPort      its HTTP port (interactive queries, health, metrics)
 * @param jvmOptions    options for its JVM, such as the heap size
 * @param environment   further environment variables, on top of the ones above
 * @param sampleQueries the queries printed (and fetched) once it is ready
 */
public record ServiceSpec(String name, int httpPort, List<String> jvmOptions, Map<String, String> environment,
                          List<SampleQuery> sampleQueries) {

    /**
     * The JVM option every service process gets, as the images do: Quarkus' own check of the request URI is off, so a
     * URI that is not RFC 3986 reaches shared-http's {@code MalformedRequests}, which answers it with a JSON 400
     * (Quarkus' check answers 400 with no body).
     */
    public static final String URI_CHECK_BY_THE_SERVICE = "-Dvertx.disableURIValidation=true";

    /**
     * A query worth trying. Its path may contain {@code {from}} and {@code {to}}, replaced by ISO-8601 instants
     * that cover the traffic the generator replays, and {@code {key}} (in the label too), replaced by the key
     * {@link SampleKeys} found for {@code key}: a user, page or product the replay gave data to.
     *
     * @param label what it shows, for the console, such as {@code orders of {key}}
     * @param path  path and query string, such as {@code /users/{key}/orders}
     * @param key   where {@code {key}} comes from; {@code null} when the query has no {@code {key}}
     */
    public record SampleQuery(String label, String path, SampleKey key) {

        /** A query without {@code {key}}. */
        public static SampleQuery of(String label, String path) {
            return new SampleQuery(label, path, null);
        }

        /** A query whose {@code {key}} comes from {@code key}. */
        public static SampleQuery keyedBy(String label, String path, SampleKey key) {
            return new SampleQuery(label, path, key);
        }

        /** The path with {@code {from}}, {@code {to}} and {@code {key}} (which may be null when there is none) replaced. */
        public String resolve(Instant from, Instant to, String keyValue) {
            String resolved = path.replace("{from}", from.toString()).replace("{to}", to.toString());
            return keyValue == null ? resolved : resolved.replace("{key}", keyValue);
        }

        /** The label with {@code {key}} replaced. */
        public String label(String keyValue) {
            return keyValue == null ? label : label.replace("{key}", keyValue);
        }
    }

    /** The service's Quarkus fast-jar launcher, relative to the repository root. */
    public Path runnable() {
        return Path.of("services", name, "target", "quarkus-app", "quarkus-run.jar");
    }

    /** The Maven command (run from the repository root) that builds the service's runnable. */
    public String buildCommand() {
        return "mvn -B -q install -DskipTests -pl services/" + name + " -am";
    }
}
