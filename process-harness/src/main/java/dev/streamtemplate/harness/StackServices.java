package dev.streamtemplate.harness;

import dev.streamtemplate.harness.ServiceSpec.SampleQuery;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Every service the local stack runs ({@link #ALL}). A new stream service plugs in with one more entry in
 * {@link #SERVICES}: its name (the directory under {@code services/}), its HTTP port (read from its
 * {@code application.properties}), JVM options, extra environment variables and the queries worth trying, whose keys
 * come from what the replay produced ({@link SampleKey}). {@link #LIVE_UPDATES} runs no Kafka Streams: it pushes the
 * stream services' results to users.
 */
public final class StackServices {

    /** The stream services, started in this order. */
    public static final List<ServiceSpec> SERVICES = List.of(
            new ServiceSpec("traffic-analytics", httpPort("traffic-analytics"), List.of("-Xmx384m"), Map.of(), List.of(
                    SampleQuery.of("page /home, one-minute windows", "/page-views?page=/home&from={from}&to={to}"),
                    SampleQuery.of("page /search, one-minute windows", "/page-views?page=/search&from={from}&to={to}"),
                    SampleQuery.of("page /deals, hopping windows",
                            "/page-views?page=/deals&window=hopping&from={from}&to={to}"),
                    SampleQuery.of("top pages", "/top-pages?from={from}&to={to}&limit=5"),
                    SampleQuery.keyedBy("sessions of {key}", "/users/{key}/sessions",
                            SampleKey.valueField(TopicCatalogue.USER_SESSIONS.name(), "userId")))),
            // No purchase-bursts sample: the replay's 200 users buy about 90 times in two hours, so a run
            // seldom has a user who bought three times within ten minutes.
            // The replay runs 240 times faster than real time, so the join tasks' results reach the
            // revenue windows minutes of event time apart: they wait 10 minutes beyond the grace period.
            new ServiceSpec("purchase-attribution", httpPort("purchase-attribution"), List.of("-Xmx384m"), Map.of("ATTRIBUTION_SETTLE", "10m"), List.of(
                    SampleQuery.keyedBy("revenue attributed to {key}, hourly", "/revenue?page={key}&from={from}&to={to}",
                            SampleKey.valueField(TopicCatalogue.ATTRIBUTED_PURCHASES.name(), "page")))),
            new ServiceSpec("customer-enrichment", httpPort("customer-enrichment"), List.of("-Xmx384m"), Map.of(), List.of(
                    SampleQuery.keyedBy("customer 360 of {key}", "/customers/{key}",
                            SampleKey.recordKey(TopicCatalogue.CUSTOMER_360.name())))),
            new ServiceSpec("shopping-cart", httpPort("shopping-cart"), List.of("-Xmx384m"), Map.of(), List.of(
                    SampleQuery.keyedBy("cart of {key}", "/users/{key}/cart",
                            SampleKey.recordKey(TopicCatalogue.CARTS.name())),
                    SampleQuery.keyedBy("orders of {key}", "/users/{key}/orders",
                            SampleKey.recordKey(TopicCatalogue.ORDERS.name())))));

    /**
     * live-updates: the live page, Server-Sent Events and webhooks over the stream services' results. Callbacks to
     * private addresses are allowed here, so webhooks can be tried against a receiver on this machine.
     */
    public static final ServiceSpec LIVE_UPDATES = new ServiceSpec("live-updates", httpPort("live-updates"),
            List.of("-Xmx256m"), Map.of("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true"), List.of());

    /** Every service the local stack starts, in this order: the stream services, then live-updates. */
    public static final List<ServiceSpec> ALL = java.util.stream.Stream.concat(SERVICES.stream(), java.util.stream.Stream.of(LIVE_UPDATES)).toList();

    private StackServices() {
    }

    /**
     * A service's {@code quarkus.http.port}, read from its {@code application.properties} in this repository (found
     * from the working directory upwards, as {@link RepositoryLayout#locate} does), so the port is written once.
     *
     * @throws IllegalStateException when the file or the key is missing
     */
    static int httpPort(String service) {
        Path file = Path.of("services", service, "src", "main", "resources", "application.properties");
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(RepositoryLayout.locate(Path.of("")).resolve(file))) {
            properties.load(reader);
        } catch (IOException | StackFailure e) {
            throw new IllegalStateException("cannot read the HTTP port of " + service + " from " + file + ": " + e.getMessage(), e);
        }
        String port = properties.getProperty("quarkus.http.port");
        if (port == null) {
            throw new IllegalStateException(file + " has no quarkus.http.port");
        }
        return Integer.parseInt(port.trim());
    }
}
