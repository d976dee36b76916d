package dev.streamtemplate.generator;

import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends {@link GeneratedEvent}s to Kafka in the order given, with the event time as the record
 * timestamp (milliseconds since the epoch), the key as a string and the value as JSON
 * ({@link JsonSerde} of the value's type; a tombstone as a null value).
 *
 * <p>The producer is idempotent with {@code acks=all}, so a retried batch is neither lost nor
 * duplicated and records of one partition keep their order. Sends are asynchronous: a failure
 * reported later surfaces as a {@link PublishException} from the next {@link #send} or from
 * {@link #flush()}. {@link #send} is meant for one thread; the counters may be read from any.
 */
public final class EventPublisher implements AutoCloseable {

    /** How long {@code send} may block for metadata or buffer space before the broker counts as unreachable. */
    public static final Duration MAX_BLOCK = Duration.ofSeconds(15);

    private final Producer<String, byte[]> producer;
    private final Map<Class<?>, JsonSerde<?>> serdes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
    private final LongAdder acknowledged = new LongAdder();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /** A publisher with its own {@link KafkaProducer} for {@code bootstrapServers} ({@code host:port,...}). */
    public EventPublisher(String bootstrapServers) {
        this(new KafkaProducer<>(producerConfig(bootstrapServers), new StringSerializer(), new ByteArraySerializer()));
    }

    /**
     * A publisher with its own {@link KafkaProducer} for a cluster that needs more than an address: {@code client}
     * holds {@code bootstrap.servers} and the connection's settings (for example SASL_SSL as
     * {@code User:event-generator}); the producer settings of {@link #producerConfig(String)} are laid over it.
     *
     * @throws NullPointerException if {@code client} has no {@code bootstrap.servers}
     */
    public EventPublisher(Properties client) {
        this(new KafkaProducer<>(withProducerSettings(client), new StringSerializer(), new ByteArraySerializer()));
    }

    /** A publisher over {@code producer}, which it closes on {@link #close()}; for tests with a {@code MockProducer}. */
    public EventPublisher(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    /** The producer settings: acks=all, idempotence, linger.ms=20, batch.size=262144, max.block.ms=15000. */
    public static Properties producerConfig(String bootstrapServers) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "event-generator");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) MAX_BLOCK.toMillis());
        return config;
    }

    private static Properties withProducerSettings(Properties client) {
        Properties config = new Properties();
        config.putAll(client);
        config.putAll(producerConfig(java.util.Objects.requireNonNull(
                client.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG), "client settings without bootstrap.servers")));
        return config;
    }

    /**
     * Fails fast when Kafka is not reachable or an input topic is missing: fetches the metadata of every
     * topic in {@link TopicCatalogue#INPUT_TOPICS}, waiting up to {@link #MAX_BLOCK} for each.
     *
     * @throws PublishException naming the topic and the bootstrap problem
     */
    public void checkTopics() {
        for (TopicCatalogue.TopicSpec topic : TopicCatalogue.INPUT_TOPICS) {
            try {
                producer.partitionsFor(topic.name());
            } catch (KafkaException e) {
                throw new PublishException("no metadata for topic '" + topic.name() + "' within " + MAX_BLOCK.toSeconds()
                        + " s: is Kafka running at the bootstrap servers, and does the topic exist? (" + e + ")", e);
            }
        }
    }

    /**
     * Sends one event asynchronously.
     *
     * @throws PublishException if this or an earlier send failed
     */
    public void send(GeneratedEvent event) {
        throwIfFailed();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(event.topic(), null,
                event.eventTime().toEpochMilli(), event.key(), serialize(event));
        try {
            producer.send(record, (metadata, exception) -> {
                if (exception == null) {
                    acknowledged.increment();
                } else {
                    failure.compareAndSet(null, exception);
                }
            });
        } catch (KafkaException e) {
            throw new PublishException("cannot send to topic '" + event.topic() + "': " + e.getMessage(), e);
        }
        sent.computeIfAbsent(event.topic(), t -> new LongAdder()).increment();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private byte[] serialize(GeneratedEvent event) {
        if (event.value() == null) {
            return null;
        }
        JsonSerde serde = serdes.computeIfAbsent(event.value().getClass(), JsonSerde::of);
        return serde.serialize(event.topic(), event.value());
    }

    /**
     * Sends every event of {@code events} in order, then flushes.
     *
     * @return events sent per topic
     * @throws PublishException if a send failed
     */
    public Map<String, Long> publishAll(Iterable<GeneratedEvent> events) {
        events.forEach(this::send);
        flush();
        return sentPerTopic();
    }

    /**
     * Sends every event of {@code events} in order, paced by delivery time: an event delivered
     * {@code d} after the first one is sent {@code d / speed} after this call, then flushes. A replay
     * sent this way reaches Kafka Streams like traffic, partitions interleaved in event time; sent all
     * at once, it becomes a backlog that Kafka Streams works through a partition at a time.
     *
     * @param events events in delivery order
     * @param speed  how many times faster than real time, greater than 0
     * @return events sent per topic
     * @throws PublishException     if a send failed
     * @throws IllegalArgumentException if {@code speed} is not positive
     * @throws InterruptedException if interrupted while pacing
     */
    public Map<String, Long> publishPaced(Iterable<GeneratedEvent> events, double speed) throws InterruptedException {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be > 0, was " + speed);
        }
        long wallOrigin = System.nanoTime();
        Long simulatedOrigin = null;
        for (GeneratedEvent event : events) {
            long delivery = event.deliveryTime().toEpochMilli();
            if (simulatedOrigin == null) {
                simulatedOrigin = delivery;
            }
            long dueNanos = wallOrigin + (long) ((delivery - simulatedOrigin) * 1_000_000L / speed);
            long waitNanos = dueNanos - System.nanoTime();
            if (waitNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            }
            send(event);
        }
        flush();
        return sentPerTopic();
    }

    /**
     * Blocks until every event sent so far is acknowledged or failed.
     *
     * @throws PublishException if a send failed
     */
    public void flush() {
        try {
            producer.flush();
        } catch (KafkaException e) {
            throw new PublishException("flush failed: " + e.getMessage(), e);
        }
        throwIfFailed();
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw new PublishException("Kafka rejected a record: " + e, e);
        }
    }

    /** Events handed to the producer, per topic, in the order of {@link TopicCatalogue#INPUT_TOPICS}. */
    public Map<String, Long> sentPerTopic() {
        Map<String, Long> counts = new LinkedHashMap<>();
        TopicCatalogue.INPUT_TOPICS.forEach(t -> counts.put(t.name(), 0L));
        sent.forEach((topic, n) -> counts.put(topic, n.sum()));
        return Collections.unmodifiableMap(counts);
    }

    /** Events handed to the producer, all topics. */
    public long sentTotal() {
        return sent.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Events the broker has acknowledged, all topics. */
    public long acknowledgedTotal() {
        return acknowledged.sum();
    }

    /** Closes the producer, waiting up to {@code timeout} for pending sends. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    /** Closes the producer, waiting up to 30 seconds for pending sends. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
