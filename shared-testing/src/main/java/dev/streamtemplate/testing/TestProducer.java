package dev.streamtemplate.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.awaitility.Awaitility;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes records for tests and returns only when the broker has acknowledged them ({@code acks=all}, idempotent).
 * Optionally transactional, to produce committed and aborted transactions on purpose.
 *
 * <pre>{@code
 * try (TestProducer<String, String> producer = TestProducer.transactional(bootstrap, "test-tx", ser, ser)) {
 *     producer.inTransaction(p -> p.sendAll(records));        // committed
 *     producer.inAbortedTransaction(p -> p.sendAll(noise));   // written, then aborted
 * }
 * }</pre>
 *
 * <p>A commit or abort returns only once the broker has written the transaction markers, so a
 * {@link TopicReader} called next sees the outcome; a plain {@code KafkaProducer} does not wait for that.
 *
 * <p>Not thread-safe. The serializers are the caller's; they are neither configured nor closed here.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TestProducer<K, V> implements AutoCloseable {

    /** How long a send (or a transaction step) may take before it fails. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static final AtomicLong CLIENT_IDS = new AtomicLong();

    private final String bootstrapServers;
    private final KafkaProducer<K, V> producer;
    private final boolean transactional;
    private boolean inTransaction;
    /** The first offset written per partition by the open transaction: where the broker says it starts. */
    private final Map<TopicPartition, Long> transactionOffsets = new HashMap<>();
    private Admin admin;

    private TestProducer(String bootstrapServers, String transactionalId, Serializer<K> keySerializer,
                         Serializer<V> valueSerializer) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putAll(SecureKafkaCluster.adminSecurityFor(bootstrapServers));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "test-producer-" + CLIENT_IDS.incrementAndGet());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis() / 2);
        if (transactionalId != null) {
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        this.producer = new KafkaProducer<>(config,
                new NonClosingSerializer<>(Objects.requireNonNull(keySerializer, "keySerializer")),
                new NonClosingSerializer<>(Objects.requireNonNull(valueSerializer, "valueSerializer")));
        this.transactional = transactionalId != null;
        if (transactional) {
            try {
                producer.initTransactions();
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                throw e;
            }
        }
    }

    /**
     * A producer outside transactions: each send is acknowledged before it returns.
     *
     * @param bootstrapServers the cluster's {@code bootstrap.servers}
     * @param keySerializer    turns keys into bytes
     * @param valueSerializer  turns values into bytes
     * @param <K>              key type
     * @param <V>              value type
     * @return the producer; the caller closes it
     */
    public static <K, V> TestProducer<K, V> create(String bootstrapServers, Serializer<K> keySerializer,
                                                   Serializer<V> valueSerializer) {
        return new TestProducer<>(bootstrapServers, null, keySerializer, valueSerializer);
    }

    /**
     * A producer of UTF-8 string keys and values, outside transactions.
     *
     * @param bootstrapServers the cluster's {@code bootstrap.servers}
     * @return the producer; the caller closes it
     */
    public static TestProducer<String, String> strings(String bootstrapServers) {
        return create(bootstrapServers, new StringSerializer(), new StringSerializer());
    }

    /**
     * A transactional producer, its transactions initialized (which fences an older producer with the same id).
     * Every send must happen inside a transaction.
     *
     * @param bootstrapServers the cluster's {@code bootstrap.servers}
     * @param transactionalId  the {@code transactional.id}; use a distinct one per concurrently open producer
     * @param keySerializer    turns keys into bytes
     * @param valueSerializer  turns values into bytes
     * @param <K>              key type
     * @param <V>              value type
     * @return the producer; the caller closes it
     * @throws org.apache.kafka.common.KafkaException if transactions cannot be initialized (e.g. within
     *                                                {@link #TIMEOUT})
     */
    public static <K, V> TestProducer<K, V> transactional(String bootstrapServers, String transactionalId,
                                                          Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        return new TestProducer<>(bootstrapServers, Objects.requireNonNull(transactionalId, "transactionalId"),
                keySerializer, valueSerializer);
    }

    /**
     * Sends one record and waits for its acknowledgement.
     *
     * @param topic the topic
     * @param key   the key, may be null
     * @param value the value, may be null (a tombstone)
     * @return where it was written
     * @throws org.apache.kafka.common.KafkaException if the send fails or is not acknowledged within
     *                                                {@link #TIMEOUT}
     * @throws IllegalStateException                  if this producer is transactional and no transaction is open
     */
    public RecordMetadata send(String topic, K key, V value) {
        return send(new ProducerRecord<>(topic, key, value));
    }

    /**
     * Sends one record (with its partition, timestamp and headers, if set) and waits for its acknowledgement.
     *
     * @param record the record
     * @return where it was written
     * @throws org.apache.kafka.common.KafkaException if the send fails or is not acknowledged within
     *                                                {@link #TIMEOUT}
     * @throws IllegalStateException                  if this producer is transactional and no transaction is open
     */
    public RecordMetadata send(ProducerRecord<K, V> record) {
        return sendAll(List.of(record)).get(0);
    }

    /**
     * Sends the records in order, batched, and waits until all are acknowledged: much faster than one
     * {@link #send} per record.
     *
     * @param records the records
     * @return where each was written, in the order of {@code records}
     * @throws org.apache.kafka.common.KafkaException if a send fails or is not acknowledged within
     *                                                {@link #TIMEOUT}
     * @throws IllegalStateException                  if this producer is transactional and no transaction is open
     */
    public List<RecordMetadata> sendAll(Collection<ProducerRecord<K, V>> records) {
        if (transactional && !inTransaction) {
            throw new IllegalStateException("This producer is transactional: send inside inTransaction(...), "
                    + "inAbortedTransaction(...) or after beginTransaction()");
        }
        List<Future<RecordMetadata>> futures = new ArrayList<>(records.size());
        for (ProducerRecord<K, V> record : records) {
            futures.add(producer.send(record));
        }
        producer.flush();
        List<RecordMetadata> written = new ArrayList<>(futures.size());
        for (Future<RecordMetadata> future : futures) {
            RecordMetadata metadata = KafkaFutures.get(future, TIMEOUT, "Sending a record");
            written.add(metadata);
            if (inTransaction) {
                transactionOffsets.merge(new TopicPartition(metadata.topic(), metadata.partition()),
                        metadata.offset(), Math::min);
            }
        }
        return written;
    }

    /**
     * Runs {@code sends} in a transaction and commits it; if {@code sends} throws, aborts the transaction instead
     * and rethrows. Returns once the records are visible to read_committed consumers (see
     * {@link #commitTransaction()}).
     *
     * @param sends what to send, through this producer
     * @throws IllegalStateException                  if this producer is not transactional, or a transaction is
     *                                                already open
     * @throws org.apache.kafka.common.KafkaException if the commit fails (a fenced producer must be closed)
     */
    public void inTransaction(Consumer<TestProducer<K, V>> sends) {
        beginTransaction();
        try {
            sends.accept(this);
        } catch (RuntimeException | Error e) {
            try {
                abortTransaction();
            } catch (RuntimeException aborting) {
                e.addSuppressed(aborting);
            }
            throw e;
        }
        commitTransaction();
    }

    /**
     * Runs {@code sends} in a transaction, makes sure its records reach the log, then aborts it: the records are in
     * the topic, and a read_committed consumer must never see them.
     *
     * @param sends what to send, through this producer
     * @throws IllegalStateException                  if this producer is not transactional, or a transaction is
     *                                                already open
     * @throws org.apache.kafka.common.KafkaException if the abort fails
     */
    public void inAbortedTransaction(Consumer<TestProducer<K, V>> sends) {
        beginTransaction();
        try {
            sends.accept(this);
            producer.flush();
        } finally {
            abortTransaction();
        }
    }

    /**
     * Opens a transaction, for tests that need one to stay open (e.g. to check that readers do not wait for it).
     * Prefer {@link #inTransaction}.
     *
     * @throws IllegalStateException if this producer is not transactional, or a transaction is already open
     */
    public void beginTransaction() {
        if (!transactional) {
            throw new IllegalStateException("Not a transactional producer: create it with TestProducer.transactional");
        }
        if (inTransaction) {
            throw new IllegalStateException("A transaction is already open");
        }
        producer.beginTransaction();
        inTransaction = true;
    }

    /**
     * Commits the open transaction and waits until its records are visible to read_committed consumers: a plain
     * producer's commit returns before the broker has written the commit markers, and until then the last stable
     * offset stays before the transaction.
     *
     * @throws IllegalStateException                  if no transaction is open
     * @throws org.apache.kafka.common.KafkaException if the commit fails
     * @throws org.awaitility.core.ConditionTimeoutException if the records are not visible within {@link #TIMEOUT}
     */
    public void commitTransaction() {
        requireOpenTransaction();
        inTransaction = false;
        producer.commitTransaction(); // bounded by max.block.ms = TIMEOUT
        awaitTransactionMarkers();
    }

    /**
     * Aborts the open transaction and waits until the abort markers are written, so that read_committed consumers
     * are no longer held back by it.
     *
     * @throws IllegalStateException                  if no transaction is open
     * @throws org.apache.kafka.common.KafkaException if the abort fails
     * @throws org.awaitility.core.ConditionTimeoutException if the markers are not written within {@link #TIMEOUT}
     */
    public void abortTransaction() {
        requireOpenTransaction();
        inTransaction = false;
        producer.abortTransaction();
        awaitTransactionMarkers();
    }

    /**
     * Aborts an open transaction, then closes the producer, waiting at most {@link #TIMEOUT} for records in flight.
     *
     * @throws org.apache.kafka.common.KafkaException if aborting the open transaction fails (the producer is closed
     *                                                all the same)
     */
    @Override
    public void close() {
        try {
            if (inTransaction) {
                abortTransaction();
            }
        } finally {
            producer.close(TIMEOUT);
            if (admin != null) {
                admin.close(TIMEOUT);
            }
        }
    }

    /**
     * Waits until no partition the transaction wrote still has it open, i.e. its markers are written. (Waiting for
     * the last stable offset to pass its records would hang while another producer's transaction, begun earlier,
     * is still open on the partition.)
     */
    private void awaitTransactionMarkers() {
        Map<TopicPartition, Long> startOffsets = Map.copyOf(transactionOffsets);
        transactionOffsets.clear();
        if (startOffsets.isEmpty()) {
            return;
        }
        Awaitility.await("the transaction markers on " + startOffsets.keySet())
                .atMost(TIMEOUT)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    Map<TopicPartition, PartitionProducerState> states = KafkaFutures.get(
                            admin().describeProducers(startOffsets.keySet()).all(), TIMEOUT, "Describing producers");
                    return startOffsets.entrySet().stream().allMatch(start -> states.get(start.getKey())
                            .activeProducers().stream()
                            .noneMatch(p -> p.currentTransactionStartOffset().isPresent()
                                    && p.currentTransactionStartOffset().getAsLong() == start.getValue()));
                });
    }

    private Admin admin() {
        if (admin == null) {
            Properties config = new Properties();
            config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            config.putAll(SecureKafkaCluster.adminSecurityFor(bootstrapServers));
            config.put(AdminClientConfig.CLIENT_ID_CONFIG, "test-producer-admin-" + CLIENT_IDS.incrementAndGet());
            admin = Admin.create(config);
        }
        return admin;
    }

    private void requireOpenTransaction() {
        if (!inTransaction) {
            throw new IllegalStateException("No transaction is open");
        }
    }
}
