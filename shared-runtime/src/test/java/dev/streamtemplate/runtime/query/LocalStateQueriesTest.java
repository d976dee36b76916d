package dev.streamtemplate.runtime.query;

import dev.streamtemplate.http.ApiError;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store that cannot be queried yet is a 503 with Retry-After, found without waiting. */
class LocalStateQueriesTest {

    @TempDir
    java.nio.file.Path stateDir;

    @Test
    void aStoreOfKafkaStreamsNotYetRunningIsNotQueryable() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
                .count(Materialized.as("counts"));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "not-started");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            LocalStateQueries queries = new LocalStateQueries();
            queries.streams = streams;
            long started = System.nanoTime();
            QueryableStore.Window<String, Long> counts = QueryableStore.window("counts", new StringSerializer(),
                    Duration.ofMinutes(1));
            assertThatThrownBy(() -> queries.windows(counts, "k", new TimeRange(Instant.EPOCH, Instant.EPOCH.plusSeconds(60)),
                    new PartitionCopy(0, Replica.ACTIVE)))
                    .isInstanceOf(StoreNotQueryableException.class)
                    .hasMessageContaining("store 'counts' is not queryable now");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered without waiting")
                    .isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void notQueryableMapsTo503WithRetryAfterInWholeSeconds() {
        Response response = new QueryErrorMappers().notQueryable(
                new StoreNotQueryableException("restoring", Duration.ofMillis(1500)));
        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeaderString("Retry-After")).isEqualTo("2");
        assertThat(response.getEntity()).isEqualTo(new ApiError(503, "Service Unavailable", "restoring"));
    }

    @Test
    void timeRangesAreHalfOpenAndBounded() {
        TimeRange range = TimeRange.parse("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", Duration.ofDays(1));
        assertThat(range.from()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThatThrownBy(() -> TimeRange.parse("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", Duration.ofDays(1)))
                .isInstanceOf(InvalidQueryException.class).hasMessageContaining("must be after");
        assertThatThrownBy(() -> TimeRange.parse("2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z", Duration.ofDays(1)))
                .isInstanceOf(InvalidQueryException.class).hasMessageContaining("wider");
        assertThatThrownBy(() -> TimeRange.parse(null, "2026-01-03T00:00:00Z", Duration.ofDays(1)))
                .isInstanceOf(InvalidQueryException.class).hasMessageContaining("'from' is required");
    }
}
