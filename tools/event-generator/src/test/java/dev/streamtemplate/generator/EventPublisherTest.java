package dev.streamtemplate.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtemplate.schemas.JsonSerde;
import dev.streamtemplate.schemas.TopicCatalogue;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EventPublisherTest {

    private static final List<GeneratedEvent> EVENTS = new ShopTrafficGenerator(GeneratorConfig.defaults().withUsers(400))
            .replay();

    @Test
    void sendsInDeliveryOrderWithEventTimeTimestampsAndJsonValues() {
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());
        try (EventPublisher publisher = new EventPublisher(producer)) {
            var counts = publisher.publishAll(EVENTS);

            assertThat(counts.keySet()).containsExactlyElementsOf(
                    TopicCatalogue.INPUT_TOPICS.stream().map(TopicCatalogue.TopicSpec::name).toList());
            assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(EVENTS.size());
            assertThat(publisher.acknowledgedTotal()).isEqualTo(EVENTS.size());
            List<ProducerRecord<String, byte[]>> sent = producer.history();
            assertThat(sent).hasSameSizeAs(EVENTS);
            for (int i = 0; i < EVENTS.size(); i++) {
                GeneratedEvent event = EVENTS.get(i);
                ProducerRecord<String, byte[]> record = sent.get(i);
                assertThat(record.topic()).isEqualTo(event.topic());
                assertThat(record.key()).isEqualTo(event.key());
                assertThat(record.timestamp()).isEqualTo(event.eventTime().toEpochMilli());
                if (event.isTombstone()) {
                    assertThat(record.value()).isNull();
                } else {
                    assertThat(JsonSerde.of(event.value().getClass()).deserialize(record.topic(), record.value()))
                            .isEqualTo(event.value());
                }
            }
            assertThat(sent).anySatisfy(r -> assertThat(r.value()).isNull());
        }
    }

    @Test
    void aFailedSendSurfacesAsPublishException() {
        MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(),
                new ByteArraySerializer());
        try (EventPublisher publisher = new EventPublisher(producer)) {
            publisher.send(EVENTS.get(0));
            producer.errorNext(new TimeoutException("broker gone"));
            assertThatThrownBy(() -> publisher.send(EVENTS.get(1)))
                    .isInstanceOf(PublishException.class).hasMessageContaining("broker gone");
        }
    }

    @Test
    void producerIsIdempotentWithAcksAll() {
        var config = EventPublisher.producerConfig("localhost:9092");
        assertThat(config).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
                .containsEntry("linger.ms", 20).containsEntry("batch.size", 262_144);
    }
}
