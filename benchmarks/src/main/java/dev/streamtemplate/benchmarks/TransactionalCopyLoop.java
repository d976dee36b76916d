package dev.streamtemplate.benchmarks;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The kafka-clients baseline: one consumer and one transactional producer copying bytes from one topic to another,
 * exactly once as KIP-447 describes (read_committed, offsets sent to the transaction, no auto-commit), committing a
 * transaction every 100 ms as the benchmarked Kafka Streams applications do. Runs until it is stopped.
 *
 * <p>Arguments: {@code <bootstrap servers> <group.id> <input topic> <output topic>}; the transactional id is
 * {@code <group.id>-copier}.
 */
public final class TransactionalCopyLoop {

    private static final long COMMIT_INTERVAL_MS = 100;

    private TransactionalCopyLoop() {
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            throw new IllegalArgumentException("arguments: <bootstrap servers> <group.id> <input topic> <output topic>");
        }
        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Kafka Streams' consumer and exactly-once producer settings (StreamsConfig's defaults)
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[1] + "-copier");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 100);
        producerConfig.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);

        AtomicBoolean running = new AtomicBoolean(true);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.set(false);
            try {
                main.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "copy-loop-shutdown"));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            producer.initTransactions();
            consumer.subscribe(java.util.List.of(args[2]));
            Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
            long transactionStart = 0;
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                if (!records.isEmpty() && pending.isEmpty()) {
                    producer.beginTransaction();
                    transactionStart = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    producer.send(new ProducerRecord<>(args[3], null, record.timestamp(), record.key(), record.value(),
                            record.headers()));
                    pending.put(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1));
                }
                if (!pending.isEmpty() && System.nanoTime() - transactionStart >= COMMIT_INTERVAL_MS * 1_000_000) {
                    producer.sendOffsetsToTransaction(pending, consumer.groupMetadata());
                    producer.commitTransaction();
                    pending.clear();
                }
            }
            if (!pending.isEmpty()) {
                producer.abortTransaction();
            }
        }
    }
}
