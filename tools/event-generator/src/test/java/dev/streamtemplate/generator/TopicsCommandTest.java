package dev.streamtemplate.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code topics} command's arguments; docker-compose's run of it creates the topics on a real broker. */
class TopicsCommandTest {

    @Test
    void defaultsToOneReplicaOnLocalhost() {
        assertThat(TopicsCommand.parse())
                .isEqualTo(new TopicsCommand("localhost:9092", (short) 1, Duration.ofSeconds(120)));
    }

    @Test
    void takesBothFlagForms() {
        assertThat(TopicsCommand.parse("--bootstrap-servers", "kafka:9092", "--replication-factor=3", "--timeout", "30"))
                .isEqualTo(new TopicsCommand("kafka:9092", (short) 3, Duration.ofSeconds(30)));
    }

    @Test
    void badArgumentsNameTheFlag() {
        assertThatThrownBy(() -> TopicsCommand.parse("--replication-factor", "0"))
                .hasMessage("--replication-factor must be between 1 and 32767, was 0");
        assertThatThrownBy(() -> TopicsCommand.parse("--timeout", "soon"))
                .hasMessage("--timeout must be a whole number, was 'soon'");
        assertThatThrownBy(() -> TopicsCommand.parse("--partitions", "4"))
                .hasMessage("unknown option --partitions");
        assertThatThrownBy(() -> TopicsCommand.parse("--bootstrap-servers"))
                .hasMessage("missing value for --bootstrap-servers");
    }
}
