package dev.streamtemplate.localstack;

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
     * A query worth trying. Its path may contain {@code {from}} and {@code {to}}, replaced by ISO-8601 instants
     * that cover the traffic the generator replays.
     *
     * @param label     what it shows, for the console
     * @param path      path and query string, such as {@code /page-views?page=/home&from={from}&to={to}}
     * @param demoCheck whether {@code --demo} waits until this query answers with a non-empty JSON array
     */
    public record SampleQuery(String label, String path, boolean demoCheck) {

        /** The path with {@code {from}} and {@code {to}} replaced. */
        public String resolve(Instant from, Instant to) {
            return path.replace("{from}", from.toString()).replace("{to}", to.toString());
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
