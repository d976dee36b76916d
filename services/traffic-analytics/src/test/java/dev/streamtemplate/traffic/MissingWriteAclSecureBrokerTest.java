package dev.streamtemplate.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.ServiceAcls;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import dev.streamtemplate.testing.AclRevocation;
import dev.streamtemplate.testing.FreshStateDirectory;
import dev.streamtemplate.testing.KafkaTestResource;
import dev.streamtemplate.testing.ServiceReadiness;
import dev.streamtemplate.testing.TopicReader;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * On the secure broker, without traffic-analytics' WRITE grant on {@code page-views-per-minute}: the first closed
 * tumbling window stops Kafka Streams (its default production exception handling, README "Reliability"), the
 * authorisation error is in health, and nothing of the aborted transaction is visible on any output. Runs in the
 * secure-broker surefire execution only.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(FreshStateDirectory.class)
@WithTestResource(value = AclRevocation.class, initArgs = {
        @ResourceArg(name = AclRevocation.PRINCIPAL_ARG, value = "traffic-analytics"),
        @ResourceArg(name = AclRevocation.TOPIC_ARG, value = "page-views-per-minute"),
        @ResourceArg(name = AclRevocation.OPERATION_ARG, value = "WRITE")})
class MissingWriteAclSecureBrokerTest {

    private static final Duration BOUND = Duration.ofSeconds(90);

    @Test
    void aRefusedWriteStopsKafkaStreamsWithTheErrorInHealthAndNothingPartialVisible() throws Exception {
        ServiceReadiness.await(URI.create("http://localhost:" + RestAssured.port), BOUND);
        Map<String, Integer> before = committedRecords();

        // Two views of one page three minutes apart: the second closes the first one's tumbling window (1 min, grace
        // 1 min), whose count the service then writes to page-views-per-minute.
        Instant first = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
        JsonSerde<PageView> serde = JsonSerde.of(PageView.class);
        try (KafkaProducer<String, PageView> producer = new KafkaProducer<>(
                KafkaTestResource.clientConfig(ServiceAcls.EVENT_GENERATOR), new StringSerializer(),
                serde.serializer())) {
            for (Instant at : new Instant[] {first.plusSeconds(10), first.plus(3, ChronoUnit.MINUTES)}) {
                PageView view = new PageView("acl-" + at.toEpochMilli(), "user-acl", "/acl-test", null, null, at);
                producer.send(new ProducerRecord<>(TopicCatalogue.PAGE_VIEWS.name(), view.userId(), view))
                        .get(30, TimeUnit.SECONDS);
            }
        }

        Awaitility.await("readiness to report the refused write").atMost(BOUND).pollInterval(Duration.ofMillis(250))
                .until(() -> RestAssured.get("/q/health/ready").asString().contains("TopicAuthorizationException"));
        Response ready = RestAssured.get("/q/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.jsonPath().getString("checks.find { it.name == 'Kafka Streams stores queryable' }.data.error"))
                .startsWith("Kafka Streams shut down: ")
                .contains("TopicAuthorizationException: Not authorized to access topics: [page-views-per-minute]");
        Awaitility.await("liveness to turn DOWN").atMost(BOUND).pollInterval(Duration.ofMillis(250))
                .until(() -> RestAssured.get("/q/health/live").statusCode() == 503);

        assertThat(committedRecords()).as("read_committed records per output after the aborted transaction")
                .isEqualTo(before);
    }

    private static Map<String, Integer> committedRecords() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        TopicReader<String, String> reader = TopicReader.strings(KafkaTestResource.bootstrapServers());
        for (TopicSpec output : TopicCatalogue.TRAFFIC_ANALYTICS_OUTPUTS) {
            counts.put(output.name(), reader.readAll(output.name()).size());
        }
        return counts;
    }
}
