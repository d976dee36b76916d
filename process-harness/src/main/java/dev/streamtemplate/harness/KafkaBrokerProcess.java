package dev.streamtemplate.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker in KRaft combined mode (broker and controller in one process), run as a child
 * JVM: {@code java -Xmx512m -cp <broker classpath> kafka.Kafka server.properties}.
 *
 * <p>Under the data directory it uses {@code kafka/} for the log directory (formatted on first start with
 * {@code kafka.tools.StorageTool format -t <cluster id> -c server.properties}: the quorum is static,
 * {@code controller.quorum.voters}, so no {@code --standalone}), {@code config/} for {@code server.properties} and
 * the log4j2 configuration, and {@code logs/broker.log} for everything the broker logs or prints. Internal topics
 * (offsets, transaction state, share-coordinator state) use replication factor 1 and min ISR 1, so exactly-once
 * Kafka Streams applications run against it.
 */
public final class KafkaBrokerProcess {

    /** How long the broker may take to answer an Admin request after its JVM started. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long formatting the storage may take. */
    public static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    /** The broker JVM's maximum heap. */
    public static final String HEAP = "-Xmx512m";

    private static final String HOST = "127.0.0.1";

    /**
     * What the broker needs.
     *
     * @param dataDir        the local stack's data directory
     * @param port           the client (PLAINTEXT) port; 0 picks a free one
     * @param controllerPort the KRaft controller port; 0 picks a free one
     * @param classpath      the broker JVM's classpath (kafka_2.13, kafka-tools, log4j2 and their dependencies)
     */
    public record Settings(Path dataDir, int port, int controllerPort, String classpath) {
    }

    private final ChildProcess child;
    private final int port;
    private final int controllerPort;
    private final boolean formattedNow;
    private final Duration startupTime;

    private KafkaBrokerProcess(ChildProcess child, int port, int controllerPort, boolean formattedNow,
                               Duration startupTime) {
        this.child = child;
        this.port = port;
        this.controllerPort = controllerPort;
        this.formattedNow = formattedNow;
        this.startupTime = startupTime;
    }

    /**
     * Writes the configuration, formats the storage if it is not formatted yet, starts the broker and waits until
     * it answers an Admin request. On any failure the broker child is stopped before this throws.
     *
     * @param children where the broker (and the formatting tool) are registered, so they are stopped with the rest
     * @throws StackFailure when a port is taken, formatting fails, or the broker exits or does not answer in time
     *                      (the message says which; the culprit's log file explains)
     */
    public static KafkaBrokerProcess start(Settings settings, ChildProcesses children)
            throws StackFailure, IOException, InterruptedException {
        int port = LocalPorts.resolve("Kafka broker", settings.port(), "--kafka-port", -1);
        int controllerPort = LocalPorts.resolve("Kafka controller", settings.controllerPort(), "--controller-port", port);

        Path dataDir = settings.dataDir().toAbsolutePath();
        Path logDir = Files.createDirectories(dataDir.resolve("kafka"));
        Path configDir = Files.createDirectories(dataDir.resolve("config"));
        Path logsDir = Files.createDirectories(dataDir.resolve("logs"));
        Path serverProperties = configDir.resolve("server.properties");
        Files.writeString(serverProperties, serverProperties(port, controllerPort, logDir), StandardCharsets.UTF_8);
        Path log4jConfig = configDir.resolve("broker-log4j2.xml");
        try (InputStream in = KafkaBrokerProcess.class.getResourceAsStream("/broker-log4j2.xml")) {
            if (in == null) {
                throw new IllegalStateException("broker-log4j2.xml is missing from the classpath (it is in process-harness.jar)");
            }
            Files.copy(in, log4jConfig, StandardCopyOption.REPLACE_EXISTING);
        }
        Path brokerLog = logsDir.resolve("broker.log");
        List<String> jvm = List.of(javaExecutable(), HEAP, "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4jConfig.toUri(),
                "-Dlocal.stack.broker.log=" + brokerLog,
                "-Dkafka.logs.dir=" + logsDir,
                "-cp", settings.classpath());

        boolean formatNow = !Files.exists(logDir.resolve("meta.properties"));
        if (formatNow) {
            format(jvm, serverProperties, logsDir.resolve("kafka-storage-format.log"), dataDir, children);
        }

        long started = System.nanoTime();
        List<String> command = new ArrayList<>(jvm);
        command.add("kafka.Kafka");
        command.add(serverProperties.toString());
        ChildProcess broker = children.start("kafka-broker", ChildProcess.Role.BROKER, command, Map.of(), brokerLog,
                dataDir);
        try {
            awaitAnswer(broker, HOST + ":" + port);
        } catch (StackFailure | InterruptedException | RuntimeException e) {
            broker.stop(ChildProcesses.BROKER_GRACE);
            throw e;
        }
        return new KafkaBrokerProcess(broker, port, controllerPort, formatNow,
                Duration.ofNanos(System.nanoTime() - started));
    }

    private static void format(List<String> jvm, Path serverProperties, Path formatLog, Path dataDir,
                               ChildProcesses children) throws IOException, StackFailure, InterruptedException {
        List<String> command = new ArrayList<>(jvm);
        command.addAll(List.of("kafka.tools.StorageTool", "format",
                "-t", Uuid.randomUuid().toString(), "-c", serverProperties.toString()));
        ChildProcess tool = children.start("kafka-storage-format", ChildProcess.Role.TOOL, command, Map.of(),
                formatLog, dataDir);
        if (!tool.awaitExit(FORMAT_TIMEOUT)) {
            tool.stop(Duration.ofSeconds(5));
            throw new StackFailure("formatting the Kafka storage did not finish within " + FORMAT_TIMEOUT.toSeconds()
                    + " s", tool);
        }
        int exit = tool.process().exitValue();
        if (exit != 0) {
            throw new StackFailure("formatting the Kafka storage failed (kafka.tools.StorageTool exit code " + exit
                    + ")", tool);
        }
    }

    private static void awaitAnswer(ChildProcess broker, String bootstrapServers)
            throws StackFailure, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Exception lastError = null;
        try (Admin admin = Admin.create(adminConfig(bootstrapServers))) {
            while (System.nanoTime() < deadline) {
                if (!broker.isAlive()) {
                    throw new StackFailure("the Kafka broker exited during startup with code "
                            + broker.process().exitValue(), broker);
                }
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    lastError = e;
                }
                broker.awaitExit(Duration.ofMillis(200)); // a pause that ends early if the broker dies
            }
        }
        throw new StackFailure("the Kafka broker did not answer on " + bootstrapServers + " within "
                + START_TIMEOUT.toSeconds() + " s" + (lastError == null ? "" : " (last error: " + lastError + ")"),
                broker);
    }

    /** Where the build writes the broker classpath, relative to the repository root. */
    public static final Path CLASSPATH_FILE = Path.of("process-harness", "target", "broker-classpath.txt");

    /**
     * Reads the broker classpath the build wrote into {@code repository} ({@link #CLASSPATH_FILE}), as
     * {@link #classpathFrom(Path)}.
     *
     * @throws StackFailure when the file or one of its jars is missing, naming the command that rebuilds it
     */
    public static String builtClasspath(RepositoryLayout repository) throws StackFailure, IOException {
        return classpathFrom(repository.resolve(CLASSPATH_FILE));
    }

    /**
     * Reads a broker classpath that the build wrote (maven-dependency-plugin {@code build-classpath}) and checks that
     * its jars are still there.
     *
     * @throws StackFailure when the file or one of its jars is missing, naming the command that rebuilds it
     */
    public static String classpathFrom(Path file) throws StackFailure, IOException {
        String rebuild = "Build it (from the repository root): mvn -B -q install -DskipTests -pl process-harness -am";
        if (!Files.isRegularFile(file)) {
            throw new StackFailure("the broker classpath file " + file + " is missing. " + rebuild);
        }
        String classpath = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (classpath.isEmpty()) {
            throw new StackFailure("the broker classpath file " + file + " is empty. " + rebuild);
        }
        List<String> missing = java.util.Arrays.stream(classpath.split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isBlank() && !Files.exists(Path.of(entry)))
                .toList();
        if (!missing.isEmpty()) {
            throw new StackFailure("the broker classpath in " + file + " names " + missing.size()
                    + " missing jar(s), e.g. " + missing.get(0) + ". " + rebuild);
        }
        return classpath;
    }

    /** The {@code server.properties} of a single-node combined broker and controller. */
    static String serverProperties(int port, int controllerPort, Path logDir) {
        return String.join("\n",
                "# Written by the local stack on every start; edits are overwritten.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + HOST + ":" + controllerPort,
                "listeners=PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + HOST + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + logDir,
                "# one node: internal topics with one replica",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=10",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "# every topic is created explicitly (TopicCatalogue, Kafka Streams' internal topics), as in production",
                "auto.create.topics.enable=false",
                "");
    }

    /** Admin client settings for a broker on {@code bootstrapServers}, with short timeouts. */
    static Properties adminConfig(String bootstrapServers) {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "local-stack");
        return config;
    }

    /** The java executable of the running JVM, so every child runs on the same Java as the launcher. */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** A new Admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(adminConfig(bootstrapServers()));
    }

    /** The client port. */
    public int port() {
        return port;
    }

    /** The controller port. */
    public int controllerPort() {
        return controllerPort;
    }

    /** Whether the storage was formatted by this start (false when an earlier run's data was reused). */
    public boolean formattedNow() {
        return formattedNow;
    }

    /** From starting the broker JVM to its first Admin answer. */
    public Duration startupTime() {
        return startupTime;
    }

    /** The broker's child process. */
    public ChildProcess child() {
        return child;
    }

    /** Stops the broker (SIGTERM, then SIGKILL after {@link ChildProcesses#BROKER_GRACE}). */
    public int stop() {
        return child.stop(ChildProcesses.BROKER_GRACE);
    }
}
