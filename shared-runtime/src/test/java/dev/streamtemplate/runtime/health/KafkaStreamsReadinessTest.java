package dev.streamtemplate.runtime.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness is DOWN until Kafka Streams runs, and while a store restores; startup until Kafka Streams has started. */
class KafkaStreamsReadinessTest {

    @TempDir
    Path stateDir;

    @Test
    void notReadyBeforeKafkaStreamsRuns() {
        try (KafkaStreams streams = unreachableBroker("readiness")) {
            ReadinessUnderTest readiness = new ReadinessUnderTest(streams, new StoreRestoration());
            HealthCheckResponse response = readiness.call();
            assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(response.getData()).get().satisfies(d -> assertThat(d).containsEntry("state", "CREATED"));
        }
    }

    @Test
    void startedOnlyOnceKafkaStreamsLeavesCreated() {
        try (KafkaStreams streams = unreachableBroker("started")) {
            StartedUnderTest started = new StartedUnderTest(streams);
            assertThat(started.call().getStatus()).as("waiting for its topics, in CREATED")
                    .isEqualTo(HealthCheckResponse.Status.DOWN);
            streams.start();
            HealthCheckResponse response = started.call();
            assertThat(response.getStatus()).as("started, %s", response.getData()).isEqualTo(HealthCheckResponse.Status.UP);
        }
    }

    @Test
    void aRecordedFatalErrorIsShownWithItsRootCauseAndKeepsReadinessDown() {
        try (KafkaStreams streams = unreachableBroker("failure")) {
            StreamsFailure failure = new StreamsFailure();
            failure.record("Kafka Streams shut down", new org.apache.kafka.streams.errors.StreamsException("send failed",
                    new org.apache.kafka.common.errors.TopicAuthorizationException(java.util.Set.of("out"))));
            failure.record("later", new IllegalStateException("ignored: the first error stays"));
            HealthCheckResponse response = new ReadinessUnderTest(streams, new StoreRestoration(), failure).call();
            assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(response.getData()).get().satisfies(d -> assertThat(d).containsEntry("error",
                    "Kafka Streams shut down: StreamsException; caused by TopicAuthorizationException: "
                            + "Not authorized to access topics: [out]"));
        }
    }

    @Test
    void aRefusedLoginCountsOnlyWhileKafkaStreamsWaitsAndOtherMessagesStayInTheLog() {
        StreamsFailure failure = new StreamsFailure();
        failure.recordRefusedLogin("Kafka refused this service's login",
                new org.apache.kafka.common.errors.SaslAuthenticationException("Authentication failed"));
        assertThat(failure.failure(KafkaStreams.State.CREATED))
                .hasValue("Kafka refused this service's login: SaslAuthenticationException: Authentication failed");
        assertThat(failure.failure(KafkaStreams.State.RUNNING)).as("the login succeeded later").isEmpty();

        failure.record("Kafka Streams shut down", new org.apache.kafka.streams.errors.StreamsException(
                "Exception caught in process. key=secret-key value=secret-value", new IllegalStateException("boom")));
        assertThat(failure.failure(KafkaStreams.State.ERROR))
                .hasValue("Kafka Streams shut down: StreamsException; caused by IllegalStateException");
    }

    @Test
    void restorationTracksPartitionsUntilTheyEnd() {
        StoreRestoration restoration = new StoreRestoration();
        TopicPartition changelog = new TopicPartition("app-store-changelog", 0);
        restoration.onRestoreStart(changelog, "store", 0, 100);
        assertThat(restoration.restoringPartitions()).isEqualTo(1);
        restoration.onRestoreEnd(changelog, "store", 100);
        assertThat(restoration.restoringPartitions()).isZero();
    }

    /** A pass-through topology whose broker does not answer: it stays CREATED until started, then rebalances. */
    private KafkaStreams unreachableBroker(String applicationId) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String())).to("out");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return new KafkaStreams(builder.build(), props);
    }

    /** The startup check with its injected field set. */
    private static final class StartedUnderTest extends KafkaStreamsStarted {
        StartedUnderTest(KafkaStreams streams) {
            this.streams = streams;
            this.failure = new StreamsFailure();
        }
    }

    /** The readiness check with its injected fields set. */
    private static final class ReadinessUnderTest extends KafkaStreamsReadiness {
        ReadinessUnderTest(KafkaStreams streams, StoreRestoration restoration) {
            this(streams, restoration, new StreamsFailure());
        }

        ReadinessUnderTest(KafkaStreams streams, StoreRestoration restoration, StreamsFailure failure) {
            this.streams = streams;
            this.restoration = restoration;
            this.failure = failure;
        }
    }
}
