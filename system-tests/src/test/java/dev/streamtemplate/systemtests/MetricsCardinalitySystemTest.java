package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Purchase;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How many series one traffic-analytics instance exposes at {@code /q/metrics} when it runs every task of input
 * topics with 4 partitions (the catalogue's) and with 32: each on a broker of its own, with records on every
 * partition, counted once the count no longer changes between two looks of the metrics binder. Kafka Streams' task,
 * processor, store and consumer metrics grow with the partitions an instance runs; the test holds that growth to
 * {@link #SERIES_PER_PARTITION_BUDGET} series per input partition and prints the figures.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MetricsCardinalitySystemTest {

    /**
     * Series per input partition an instance may add (it runs three tasks per partition: sessions, the two page
     * windows, purchase bursts; each with its stores, processors, topics and consumer lags).
     */
    static final int SERIES_PER_PARTITION_BUDGET = 150;

    private static final String SERVICE = "traffic-analytics";
    private static final List<String> STORES = List.of("page-views-tumbling-store", "page-views-hopping-store",
            "user-sessions-store", "purchase-bursts-store");
    /** The metrics binder's look for new Kafka metrics ({@code metrics.kafka-streams.refresh-interval}) plus a margin. */
    private static final Duration REFRESH = Duration.ofSeconds(12);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void seriesPerInstanceGrowWithinTheBudgetFrom4To32Partitions() throws Exception {
        Map<Integer, Integer> series = new TreeMap<>();
        Map<Integer, Long> scrapeMillis = new TreeMap<>();
        for (int partitions : List.of(TopicCatalogue.PAGE_VIEWS.partitions(), 32)) {
            try (MultiInstanceStack stack = MultiInstanceStack.start(Path.of("target", "cardinality-" + partitions),
                    line -> System.out.println("[cardinality-" + partitions + "] " + line))) {
                if (partitions != TopicCatalogue.PAGE_VIEWS.partitions()) {
                    try (Admin admin = stack.broker().admin()) {
                        admin.createPartitions(Map.of(TopicCatalogue.PAGE_VIEWS.name(), NewPartitions.increaseTo(partitions),
                                TopicCatalogue.PURCHASES.name(), NewPartitions.increaseTo(partitions))).all()
                                .get(30, TimeUnit.SECONDS);
                    }
                }
                InstanceGroup group = new InstanceGroup(stack, SERVICE, STORES, partitions, Map.of());
                group.startReady(1);
                ServiceInstance instance = group.live().get(0);
                sendToEveryPartition(stack, partitions);

                // every task's metrics exported (three sub-topologies: a task each per partition), then a count that
                // stays the same over one more look of the binder
                await("the metrics of all " + 3 * partitions + " tasks").atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(2))
                        .until(() -> tasks(scrape(group, instance)).size() == 3 * partitions);
                AtomicInteger last = new AtomicInteger(-1);
                await("a stable series count").atMost(Duration.ofMinutes(2)).pollInterval(REFRESH)
                        .until(() -> {
                            int count = count(scrape(group, instance));
                            return count == last.getAndSet(count);
                        });
                long start = System.nanoTime();
                String exposition = scrape(group, instance);
                scrapeMillis.put(partitions, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                series.put(partitions, count(exposition));
                System.out.printf("%d partitions: %d series, %d bytes, scraped in %d ms; by family prefix: %s%n",
                        partitions, count(exposition), exposition.length(), scrapeMillis.get(partitions),
                        families(exposition));
                group.stopAll();
            }
        }
        int low = TopicCatalogue.PAGE_VIEWS.partitions();
        double perPartition = (series.get(32) - series.get(low)) / (double) (32 - low);
        System.out.printf("=== %s summary ===%nseries per traffic-analytics instance: %s; %.1f more per input partition "
                + "(budget %d); scrape times (ms) %s%n", getClass().getSimpleName(), series, perPartition,
                SERIES_PER_PARTITION_BUDGET, scrapeMillis);
        assertThat(perPartition).as("series added per input partition").isLessThanOrEqualTo(SERIES_PER_PARTITION_BUDGET);
    }

    /** Two page views and two purchases on every partition of page-views and purchases, event time now. */
    private static void sendToEveryPartition(MultiInstanceStack stack, int partitions) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (KafkaProducer<String, PageView> views = new KafkaProducer<>(config, new StringSerializer(),
                JsonSerde.of(PageView.class).serializer());
             KafkaProducer<String, Purchase> purchases = new KafkaProducer<>(config, new StringSerializer(),
                     JsonSerde.of(Purchase.class).serializer())) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < 2; i++) {
                    String user = "u-" + p + "-" + i;
                    views.send(new ProducerRecord<>(TopicCatalogue.PAGE_VIEWS.name(), p, user,
                            new PageView("v-" + p + "-" + i, user, "/p-" + (p * 2 + i), null, null, Instant.now())));
                    purchases.send(new ProducerRecord<>(TopicCatalogue.PURCHASES.name(), p, user,
                            new Purchase("b-" + p + "-" + i, "o-" + p + "-" + i, user, "p-0001", 1, 1999, "EUR", Instant.now())));
                }
            }
        }
    }

    private static String scrape(InstanceGroup group, ServiceInstance instance) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(instance.uri("/q/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("/q/metrics of %s", instance).isEqualTo(200);
        return answer.body();
    }

    /** The series: every line that is not a comment. */
    private static int count(String exposition) {
        return (int) exposition.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).count();
    }

    private static Set<String> tasks(String exposition) {
        return exposition.lines().filter(line -> line.startsWith("kafka_stream_task_dropped_records_total{"))
                .map(line -> line.replaceAll(".*task_id=\"([^\"]+)\".*", "$1")).collect(Collectors.toSet());
    }

    /** Series by the first two words of their name, largest first. */
    private static String families(String exposition) {
        Map<String, Long> byFamily = exposition.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> String.join("_", List.of(line.split("[{ ]")[0].split("_")).subList(0,
                        Math.min(3, line.split("[{ ]")[0].split("_").length))))
                .collect(Collectors.groupingBy(f -> f, Collectors.counting()));
        return byFamily.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }
}
