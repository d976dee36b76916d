package dev.streamtemplate.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtemplate.generator.EventPublisher;
import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * End-to-end latency of a running service: page views produced at a constant rate with event time = the instant each
 * was due, and each result read back from an output topic with {@code isolation.level=read_committed}. A result's
 * latency is the wall clock when the consumer received it minus the moment it could first exist, which the caller
 * derives from the result: the view's own event time for a per-record path ({@code enriched-page-views}), window end
 * plus grace for a window emitted on close ({@code page-views-per-minute}). Producer and consumer run in this JVM,
 * on one clock.
 *
 * @param results      results measured
 * @param p50Millis    median latency, milliseconds
 * @param p99Millis    99th percentile, milliseconds
 * @param p999Millis   99.9th percentile, milliseconds
 * @param maxMillis    the largest, milliseconds
 */
public record EndToEndLatency(long results, double p50Millis, double p99Millis, double p999Millis, double maxMillis) {

    /** How long the consumer keeps reading after the producer stopped. */
    private static final Duration TAIL = Duration.ofSeconds(10);

    /** Reads when the result {@code value} (JSON) could first exist, or {@code null} to leave it out. */
    public interface Reference extends Function<JsonNode, Instant> {
    }

    /**
     * For {@code enriched-page-views}: the view's event time; views from before {@code since} (the backlog, whose last
     * transaction may become visible after the measurement started) are left out.
     */
    public static Reference viewEventTime(Instant since) {
        return value -> {
            Instant time = Instant.parse(value.path("view").path("timestamp").asText());
            return time.isBefore(since) ? null : time;
        };
    }

    /**
     * For a window result emitted on close: its {@code windowEnd} plus {@code grace}; windows that started before
     * {@code since} (partly filled before the measurement) are left out.
     */
    public static Reference windowClose(Duration grace, Instant since) {
        return value -> {
            Instant start = Instant.parse(value.path("windowStart").asText());
            return start.isBefore(since) ? null : Instant.parse(value.path("windowEnd").asText()).plus(grace);
        };
    }

    /**
     * Produces page views to {@code page-views} at {@code rate} per second for {@code duration}, and measures the
     * results that reach {@code outputTopic} until {@link #TAIL} after the last one was sent.
     *
     * @param users     page views are spread over users {@code u-0001..u-<users>}
     * @param reference derives each result's reference instant; given the instant production starts
     * @throws IllegalStateException when no result arrived
     */
    public static EndToEndLatency measure(String bootstrapServers, String outputTopic, double rate, Duration duration,
                                          int users, Function<Instant, Reference> reference) throws Exception {
        Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(outputTopic).stream()
                    .map(p -> new TopicPartition(outputTopic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolves the end now, before anything is produced
            Instant since = Instant.now();
            Reference referenceOf = reference.apply(since);
            AtomicLong sent = new AtomicLong();
            CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> produce(bootstrapServers, rate, duration,
                    users, sent));
            long stopAt = 0;
            while (stopAt == 0 || System.nanoTime() < stopAt) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(20))) {
                    long received = System.currentTimeMillis();
                    Instant at = referenceOf.apply(JsonSerde.MAPPER.readTree(record.value()));
                    if (at != null) {
                        long micros = Math.max(0, (received - at.toEpochMilli()) * 1000);
                        histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
                    }
                }
                if (stopAt == 0 && producer.isDone()) {
                    producer.join(); // rethrows a failure of the producer
                    stopAt = System.nanoTime() + TAIL.toNanos();
                }
            }
            if (histogram.getTotalCount() == 0) {
                throw new IllegalStateException("no result on " + outputTopic + " within " + TAIL.toSeconds()
                        + " s after " + sent.get() + " page views were sent");
            }
            return new EndToEndLatency(histogram.getTotalCount(), histogram.getValueAtPercentile(50) / 1000.0,
                    histogram.getValueAtPercentile(99) / 1000.0, histogram.getValueAtPercentile(99.9) / 1000.0,
                    histogram.getMaxValue() / 1000.0);
        }
    }

    /**
     * Sends {@code rate} page views per second in 10 ms ticks. Each view's event time is the instant it was due
     * ({@code start + i / rate}), not when the loop got to it, so a stall of the sender counts as latency rather than
     * being left out (coordinated omission).
     */
    private static void produce(String bootstrapServers, double rate, Duration duration, int users, AtomicLong sent) {
        Properties config = EventPublisher.producerConfig(bootstrapServers);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (KafkaProducer<String, PageView> producer = new KafkaProducer<>(config, new StringSerializer(),
                JsonSerde.of(PageView.class))) {
            long startMillis = System.currentTimeMillis();
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long tick = TimeUnit.MILLISECONDS.toNanos(10);
            for (long next = start; next < end; next += tick) {
                long due = (long) ((next - start + tick) / 1e9 * rate);
                while (sent.get() < due) {
                    Instant dueAt = Instant.ofEpochMilli(startMillis + (long) (sent.get() * 1000 / rate));
                    String user = String.format(Locale.ROOT, "u-%04d", 1 + random.nextInt(users));
                    String product = String.format(Locale.ROOT, "p-%04d", 1 + random.nextInt(100));
                    boolean productPage = random.nextBoolean();
                    PageView view = new PageView(UUID.randomUUID().toString(), user,
                            productPage ? PageView.PRODUCT_PAGE_PREFIX + product : "/home",
                            productPage ? product : null, "search", dueAt);
                    producer.send(new ProducerRecord<>(TopicCatalogue.PAGE_VIEWS.name(), null,
                            view.timestamp().toEpochMilli(), user, view));
                    sent.incrementAndGet();
                }
                long sleep = next + tick - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing", e);
        }
    }

    /** One line: results and percentiles. */
    public String summary() {
        return String.format(Locale.ROOT, "%d results, p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms, max %.0f ms", results,
                p50Millis, p99Millis, p999Millis, maxMillis);
    }
}
