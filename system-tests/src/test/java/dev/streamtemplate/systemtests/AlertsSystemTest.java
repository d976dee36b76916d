package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtemplate.harness.RepositoryLayout;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shipped alert rules ({@code helm/stream-service/files/stream-services.rules.yml}) on a real Prometheus scraping
 * a real traffic-analytics instance under live traffic: each induced fault makes its alert pending or firing in
 * {@code /api/v1/alerts}, and the alert resolves after recovery.
 *
 * <ul>
 *   <li>poison records on {@code page-views}: {@code DeadLetters};</li>
 *   <li>a backlog of page views three hours old: {@code LateEventsHigh};</li>
 *   <li>the instance's consumer throttled by a broker quota (1 KiB/s) while traffic flows: {@code ConsumerLagGrowing};
 *       the quota removed, the lag shrinks;</li>
 *   <li>SIGKILL of the instance: {@code StreamServiceDown}; restarted, it is scraped again.</li>
 * </ul>
 * Before them: every target is up without scrape error, every rule loads, and the stream-time gauge of
 * {@code user-sessions} equals the event time of the records the test sent to every partition.
 *
 * <p>The rules run with shorter {@code for:} durations and range windows (an override of the shipped file written
 * by the test), scraped and evaluated every second; the shipped file is unchanged.
 */
@ExtendWith(SharedBroker.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AlertsSystemTest {

    private static final String SERVICE = "traffic-analytics";
    private static final List<String> STORES = List.of("page-views-tumbling-store", "page-views-hopping-store",
            "user-sessions-store", "purchase-bursts-store");
    private static final String PAGE_VIEWS = TopicCatalogue.PAGE_VIEWS.name();
    private static final Duration FIRE_BOUND = Duration.ofSeconds(90);
    private static final Duration RESOLVE_BOUND = Duration.ofSeconds(120);

    private final Map<String, String> timings = new LinkedHashMap<>();
    private final AtomicLong sent = new AtomicLong();

    @Test
    void inducedFaultsFireTheirAlertsAndRecoveryResolvesThem(MultiInstanceStack stack) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        // a group of its own that starts at the end of the topics the other system tests filled
        properties.put("quarkus.kafka-streams.application-id", "traffic-analytics-alerts");
        properties.put("kafka-streams.auto.offset.reset", "latest");
        // small fetches, so that a throttled consumer fetches (and reports its lag) every few seconds
        properties.put("kafka-streams.main.consumer.max.partition.fetch.bytes", "2048");
        properties.put("kafka-streams.main.consumer.fetch.max.bytes", "8192");
        InstanceGroup group = new InstanceGroup(stack, SERVICE, STORES, TopicCatalogue.PAGE_VIEWS.partitions(), properties);
        group.startReady(1);
        ServiceInstance instance = group.live().get(0);

        Path directory = stack.dataDir().resolve("alerts-prometheus");
        Path rules = Files.createDirectories(directory).resolve("rules-short.yml");
        Path shipped = RepositoryLayout.locate(Path.of("")).root().resolve("helm/stream-service/files/stream-services.rules.yml");
        Files.writeString(rules, shortened(Files.readString(shipped)));

        ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
        try (TestPrometheus prometheus = TestPrometheus.start(directory, Map.of(SERVICE, instance.settings().endpoint()), rules);
             KafkaProducer<String, PageView> views = new KafkaProducer<>(producerConfig(stack), new StringSerializer(),
                     JsonSerde.of(PageView.class).serializer());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            // live traffic: 100 page views a second, event time now
            traffic.scheduleAtFixedRate(() -> {
                long n = sent.incrementAndGet();
                views.send(new ProducerRecord<>(PAGE_VIEWS, "u-" + (n % 50), new PageView("live-" + n, "u-" + (n % 50),
                        "/p-" + (n % 20), null, null, Instant.now())));
            }, 0, 10, TimeUnit.MILLISECONDS);

            await("every target up without scrape error and every rule loaded").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        assertThat(prometheus.targets()).isNotEmpty().allSatisfy((url, health) ->
                                assertThat(health).as(url).isEqualTo("up "));
                        assertThat(prometheus.ruleHealth()).hasSizeGreaterThanOrEqualTo(30)
                                .allSatisfy((rule, health) -> assertThat(health).as(rule).isEqualTo("ok"));
                        // the consumer's lag metrics (exported once tasks are assigned) scraped a few times
                        assertThat(prometheus.values("min(count_over_time(kafka_consumer_fetch_manager_records_lag[1m]))"))
                                .singleElement().satisfies(samples -> assertThat(samples).isGreaterThanOrEqualTo(3));
                    });

            timings.put("scrape", "samples " + prometheus.values("scrape_samples_scraped") + ", duration (s) "
                    + prometheus.values("scrape_duration_seconds"));

            // the stream time of user-sessions: one record later than any other on every partition of page-views
            Instant streamTime = Instant.now().plus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS);
            for (int partition = 0; partition < TopicCatalogue.PAGE_VIEWS.partitions(); partition++) {
                views.send(new ProducerRecord<>(PAGE_VIEWS, partition, "u-closing-" + partition,
                        new PageView("closing-" + partition, "u-closing-" + partition, "/closing", null, null, streamTime)));
            }
            views.flush();
            await("aggregation_stream_time_seconds of user-sessions = " + streamTime).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                            assertThat(prometheus.values("aggregation_stream_time_seconds{aggregation=\"user-sessions\"}"))
                                    .containsExactly((double) streamTime.getEpochSecond()));

            fault(prometheus, "DeadLetters", () -> {
                try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(producerConfig(stack),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
                    for (int i = 0; i < 3; i++) {
                        raw.send(new ProducerRecord<>(PAGE_VIEWS, "u-1".getBytes(StandardCharsets.UTF_8),
                                "{\"eventId\": ".getBytes(StandardCharsets.UTF_8)));
                    }
                }
            }, () -> { });

            fault(prometheus, "LateEventsHigh", () -> {
                Instant threeHoursAgo = Instant.now().minus(Duration.ofHours(3));
                for (int i = 0; i < 600; i++) {
                    views.send(new ProducerRecord<>(PAGE_VIEWS, "u-" + (i % 50), new PageView("late-" + i, "u-" + (i % 50),
                            "/p-" + (i % 20), null, null, threeHoursAgo.plusSeconds(i))));
                }
                views.flush();
            }, () -> { });

            ClientQuotaEntity everyClient = new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.CLIENT_ID, null));
            try {
                fault(prometheus, "ConsumerLagGrowing",
                        () -> quota(admin, everyClient, 1024.0),
                        () -> quota(admin, everyClient, null));
            } finally {
                quota(admin, everyClient, null);
            }

            fault(prometheus, "StreamServiceDown", () -> group.kill(instance), () -> {
                ServiceInstance restarted = group.restart(instance);
                group.awaitReady(List.of(restarted));
            });
        } finally {
            traffic.shutdownNow();
            group.stopAll();
            System.out.println();
            System.out.println("=== " + getClass().getSimpleName() + " summary ===");
            System.out.println("live page views sent: " + sent.get());
            timings.forEach((alert, timing) -> System.out.println(alert + ": " + timing));
        }
    }

    /** What induces a fault, or recovers from it. */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * Checks that {@code alert} is inactive, induces the fault, waits until the alert is pending or firing, recovers,
     * and waits until it is inactive again.
     */
    private void fault(TestPrometheus prometheus, String alert, Step induce, Step recover) throws Exception {
        assertThat(prometheus.alerts()).as("active alerts before %s's fault", alert).doesNotContainKey(alert);
        long start = System.nanoTime();
        induce.run();
        await(alert + " pending or firing").atMost(FIRE_BOUND).pollInterval(Duration.ofMillis(500))
                .until(() -> prometheus.alerts().containsKey(alert));
        long active = System.nanoTime();
        String state = prometheus.alerts().getOrDefault(alert, "resolved meanwhile");
        recover.run();
        await(alert + " resolved after recovery").atMost(RESOLVE_BOUND).pollInterval(Duration.ofMillis(500))
                .until(() -> !prometheus.alerts().containsKey(alert));
        timings.put(alert, String.format("%s %.1f s after the fault, resolved %.1f s after the recovery began", state,
                (active - start) / 1e9, (System.nanoTime() - active) / 1e9));
    }

    /** Sets ({@code rate} bytes per second) or removes ({@code null}) the consumers' fetch quota of {@code entity}. */
    private static void quota(Admin admin, ClientQuotaEntity entity, Double rate) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity,
                List.of(new ClientQuotaAlteration.Op("consumer_byte_rate", rate))))).all().get(30, TimeUnit.SECONDS);
    }

    /**
     * The shipped rules with every {@code for:} at 3 s and the range windows shortened ({@code [5m]} and
     * {@code [10m]} to 20 s, {@code [1h]} to 1 min), so that alerts fire and resolve within seconds.
     */
    static String shortened(String rules) {
        String shortened = rules.replaceAll("for: \\d+[smh]", "for: 3s")
                .replace("[5m]", "[20s]").replace("[10m]", "[20s]").replace("[1h]", "[1m]");
        assertThat(shortened).as("the override changed the durations").isNotEqualTo(rules).doesNotContain("for: 5m");
        return shortened;
    }

    private static Properties producerConfig(MultiInstanceStack stack) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return config;
    }
}
