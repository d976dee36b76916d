package dev.streamtemplate.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import dev.streamtemplate.schemas.TopicCreator;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real broker process: started from the build's classpath file, used, stopped, and gone. */
class KafkaBrokerProcessTest {

    private static final Path CLASSPATH_FILE = Path.of("target", "broker-classpath.txt");

    @Test
    void startsABrokerThatTakesTheCatalogueTopicsAndLeavesNoProcessBehind(@TempDir Path dataDir) throws Exception {
        String classpath = KafkaBrokerProcess.classpathFrom(CLASSPATH_FILE);
        List<String> names = TopicCatalogue.ALL.stream().map(TopicSpec::name).toList();
        Path pidFile = dataDir.resolve("children.pids");
        ProcessHandle broker;
        Path brokerLog;

        try (ChildProcesses children = new ChildProcesses(pidFile, line -> { })) {
            KafkaBrokerProcess process = KafkaBrokerProcess.start(
                    new KafkaBrokerProcess.Settings(dataDir, 0, 0, classpath), children);
            broker = process.child().process().toHandle();
            brokerLog = process.child().logFile();
            assertThat(process.formattedNow()).isTrue();
            assertThat(Files.readString(pidFile)).contains(broker.pid() + " ");

            try (Admin admin = process.admin()) {
                assertThat(admin.describeCluster().nodes().get()).hasSize(1);

                TopicCreator.Outcome first = TopicCreator.createAll(admin, TopicCatalogue.ALL, Duration.ofSeconds(30));
                assertThat(first.created()).containsExactlyElementsOf(names);
                TopicCreator.Outcome second = TopicCreator.createAll(admin, TopicCatalogue.ALL, Duration.ofSeconds(30));
                assertThat(second.existing()).containsExactlyElementsOf(names);

                Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
                for (TopicSpec spec : TopicCatalogue.ALL) {
                    assertThat(topics.get(spec.name()).partitions()).as(spec.name()).hasSize(spec.partitions());
                    assertThat(topics.get(spec.name()).partitions().get(0).replicas()).hasSize(1);
                }
                ConfigResource products = new ConfigResource(ConfigResource.Type.TOPIC, TopicCatalogue.PRODUCTS.name());
                Config config = admin.describeConfigs(List.of(products)).all().get().get(products);
                assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            }
            // log4j2 writes the broker's log into the data directory
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(Files.readString(brokerLog)).contains("Kafka Server started"));
        }

        assertThat(broker.isAlive()).as("broker process after stop").isFalse();
        assertThat(ProcessHandle.of(broker.pid()).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(pidFile).doesNotExist();
        assertThat(dataDir.resolve("kafka").resolve("meta.properties")).exists();
    }

    @Test
    void failsClearlyWhenItsPortIsTaken(@TempDir Path dataDir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0);
             ChildProcesses children = new ChildProcesses(null, line -> { })) {
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> KafkaBrokerProcess.start(
                    new KafkaBrokerProcess.Settings(dataDir, port, 0, "unused"), children))
                    .isInstanceOf(StackFailure.class)
                    .hasMessageContaining("port " + port + " is already in use")
                    .hasMessageContaining("--kafka-port");
        }
    }

    @Test
    void failsClearlyWhenTheBrokerCannotStart(@TempDir Path dataDir) throws Exception {
        try (ChildProcesses children = new ChildProcesses(null, line -> { })) {
            StackFailure failure = org.junit.jupiter.api.Assertions.assertThrows(StackFailure.class, () ->
                    KafkaBrokerProcess.start(new KafkaBrokerProcess.Settings(dataDir, 0, 0,
                            dataDir.resolve("no-such.jar").toString()), children));

            assertThat(failure).hasMessageContaining("formatting the Kafka storage failed");
            ChildProcess tool = failure.culprit().orElseThrow();
            assertThat(tool.isAlive()).isFalse();
            assertThat(String.join("\n", tool.logTail(5))).contains("kafka.tools.StorageTool");
        }
    }

    @Test
    void classpathFileMustNameExistingJars(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broker-classpath.txt");
        Files.writeString(file, dir.resolve("gone.jar").toString());

        assertThatThrownBy(() -> KafkaBrokerProcess.classpathFrom(file))
                .hasMessageContaining("missing jar").hasMessageContaining("gone.jar")
                .hasMessageContaining("mvn -B -q install -DskipTests -pl process-harness");
        assertThatThrownBy(() -> KafkaBrokerProcess.classpathFrom(dir.resolve("absent.txt")))
                .hasMessageContaining("is missing");
        assertThat(Files.readString(CLASSPATH_FILE).split(java.io.File.pathSeparator))
                .anyMatch(jar -> jar.contains("kafka_2.13-"))
                .anyMatch(jar -> jar.contains("log4j-slf4j-impl-"))
                .noneMatch(jar -> jar.contains("slf4j-nop") || jar.contains("junit"));
    }
}
