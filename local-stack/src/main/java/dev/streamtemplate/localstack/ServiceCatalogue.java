package dev.streamtemplate.localstack;

import dev.streamtemplate.localstack.ServiceSpec.SampleQuery;
import java.util.List;
import java.util.Map;

/**
 * Every service the local stack runs. A new service plugs in with one more entry in {@link #SERVICES}: its
 * name (the directory under {@code services/}), a free HTTP port, JVM options, extra environment variables and
 * the queries worth trying.
 */
public final class ServiceCatalogue {

    /** The services, started in this order. */
    public static final List<ServiceSpec> SERVICES = List.of(
            new ServiceSpec("traffic-analytics", 8081, List.of("-Xmx384m"), Map.of(), List.of(
                    new SampleQuery("page /home, one-minute windows",
                            "/page-views?page=/home&from={from}&to={to}", true),
                    new SampleQuery("page /search, one-minute windows",
                            "/page-views?page=/search&from={from}&to={to}", false),
                    new SampleQuery("page /deals, hopping windows",
                            "/page-views?page=/deals&window=hopping&from={from}&to={to}", false),
                    new SampleQuery("sessions of u-0001", "/users/u-0001/sessions", false),
                    new SampleQuery("sessions of u-0002", "/users/u-0002/sessions", false),
                    new SampleQuery("purchase bursts of u-0001", "/users/u-0001/purchase-bursts", false))),
            // The replay runs 240 times faster than real time, so the join tasks' results reach the
            // revenue windows minutes of event time apart: they wait 10 minutes beyond the grace period.
            new ServiceSpec("purchase-attribution", 8082, List.of("-Xmx384m"), Map.of("ATTRIBUTION_SETTLE", "10m"), List.of(
                    new SampleQuery("revenue attributed to /products/p-0006, hourly",
                            "/revenue?page=/products/p-0006&from={from}&to={to}", false),
                    new SampleQuery("revenue attributed to /products/p-0010, hourly",
                            "/revenue?page=/products/p-0010&from={from}&to={to}", false))),
            new ServiceSpec("customer-enrichment", 8083, List.of("-Xmx384m"), Map.of(), List.of(
                    new SampleQuery("customer 360 of u-0001", "/customers/u-0001", false),
                    new SampleQuery("customer 360 of u-0002", "/customers/u-0002", false))),
            new ServiceSpec("shopping-cart", 8084, List.of("-Xmx384m"), Map.of(), List.of(
                    new SampleQuery("cart of u-0001", "/users/u-0001/cart", false),
                    new SampleQuery("orders of u-0001", "/users/u-0001/orders", false),
                    new SampleQuery("orders of u-0002", "/users/u-0002/orders", false))));

    private ServiceCatalogue() {
    }
}
