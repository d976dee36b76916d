package dev.streamtemplate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtemplate.schemas.ServiceAcls;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.security.ScramCredentials;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The secure broker enforces what {@link ServiceAcls} grants: a principal reads and writes its own topics, and is
 * refused another service's output, another group and a topic it only reads; a wrong password is refused at once.
 */
class SecureKafkaClusterTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    private static SecureKafkaCluster cluster;

    @BeforeAll
    static void start() {
        cluster = SecureKafkaCluster.start();
        try (KafkaTopics topics = new KafkaTopics(cluster.bootstrapServers())) {
            topics.create(List.of(TopicCatalogue.PAGE_VIEWS, TopicCatalogue.ATTRIBUTED_PURCHASES,
                    TopicCatalogue.PAGE_VIEWS_TUMBLING));
        }
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void theGeneratorWritesAnInputAndTheServiceReadsItInItsOwnGroup() throws Exception {
        try (KafkaProducer<String, String> producer = producer(cluster.credentials(ServiceAcls.EVENT_GENERATOR))) {
            producer.send(new ProducerRecord<>(TopicCatalogue.PAGE_VIEWS.name(), "user-1", "{}")).get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, String> consumer = consumer(cluster.credentials("traffic-analytics"),
                "traffic-analytics")) {
            consumer.subscribe(List.of(TopicCatalogue.PAGE_VIEWS.name()));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(records).as("page views read by User:traffic-analytics within " + BOUND)
                    .extracting(ConsumerRecord::key).containsExactly("user-1");
            consumer.commitSync();
        }
    }

    @Test
    void aServiceIsRefusedAnotherServicesOutputAnotherGroupAndWritingWhatItOnlyReads() {
        ScramCredentials traffic = cluster.credentials("traffic-analytics");
        try (KafkaConsumer<String, String> consumer = consumer(traffic, null)) {
            consumer.assign(List.of(new org.apache.kafka.common.TopicPartition(
                    TopicCatalogue.ATTRIBUTED_PURCHASES.name(), 0)));
            consumer.seekToBeginning(consumer.assignment());
            assertThatThrownBy(() -> consumer.poll(BOUND))
                    .isInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(TopicCatalogue.ATTRIBUTED_PURCHASES.name());
        }
        try (KafkaConsumer<String, String> consumer = consumer(traffic, "purchase-attribution")) {
            consumer.subscribe(List.of(TopicCatalogue.PAGE_VIEWS.name()));
            assertThatThrownBy(() -> consumer.poll(BOUND)).isInstanceOf(GroupAuthorizationException.class);
        }
        try (KafkaProducer<String, String> producer = producer(traffic)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TopicCatalogue.PAGE_VIEWS.name(), "k", "v"))
                    .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaProducer<String, String> producer = producer(cluster.credentials("purchase-attribution"))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(),
                    "k", "v")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void aWrongPasswordIsRefusedAtOnceWithoutShowingIt() {
        ScramCredentials wrong = cluster.credentials("traffic-analytics").as("traffic-analytics", "not-the-password");
        long started = System.nanoTime();
        try (KafkaConsumer<String, String> consumer = consumer(wrong, "traffic-analytics")) {
            consumer.subscribe(List.of(TopicCatalogue.PAGE_VIEWS.name()));
            assertThatThrownBy(() -> consumer.poll(BOUND))
                    .isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("Authentication failed")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-password"));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("refused at the first login, not after retries")
                .isLessThan(Duration.ofSeconds(10));
    }

    private static KafkaProducer<String, String> producer(ScramCredentials credentials) {
        Properties config = client(credentials);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(ScramCredentials credentials, String group) {
        Properties config = client(credentials);
        if (group != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    private static Properties client(ScramCredentials credentials) {
        Properties config = new Properties();
        config.put("bootstrap.servers", cluster.bootstrapServers());
        for (Map.Entry<String, String> setting : credentials.clientConfig().entrySet()) {
            config.put(setting.getKey(), setting.getValue());
        }
        return config;
    }
}
