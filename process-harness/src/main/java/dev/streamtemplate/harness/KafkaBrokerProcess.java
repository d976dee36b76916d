package dev.streamtemplate.harness;

import dev.streamtemplate.schemas.ServiceAcls;
import dev.streamtemplate.security.CertificateAuthority;
import dev.streamtemplate.security.SaslSslBroker;
import dev.streamtemplate.security.ScramCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
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
 *
 * <p>Secure ({@link Settings#secure()}): the client listener is SASL_SSL with SCRAM-SHA-512 ({@link SaslSslBroker}),
 * its certificate issued at every start by a new CA into {@code tls/} (the trust store {@code tls/truststore.p12});
 * the administrator {@code User:admin} is created at format time with a password kept in {@code tls/admin.password}
 * (owner-only), so a restart on the same data finds it; {@link #createServicePrincipals()} creates the principals of
 * {@link ServiceAcls#ALL} with new passwords and their ACLs. {@code tls/admin.properties} holds the administrator's
 * client settings for Kafka's command-line tools ({@code --command-config}). Local use only: the passwords sit in
 * files of the data directory.
 */
public final class KafkaBrokerProcess {

    /** How long the broker may take to answer an Admin request after its JVM started. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long formatting the storage may take. */
    public static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    /** The broker JVM's maximum heap. */
    public static final String HEAP = "-Xmx512m";

    private static final String HOST = "127.0.0.1";
    private static final String SECURE_LISTENER = "SASL_SSL";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String TLS = "tls";
    private static final String KEYSTORE = "broker.p12";

    /**
     * What the broker needs.
     *
     * @param dataDir        the local stack's data directory
     * @param port           the client (PLAINTEXT) port; 0 picks a free one
     * @param controllerPort the KRaft controller port; 0 picks a free one
     * @param classpath      the broker JVM's classpath (kafka_2.13, kafka-tools, log4j2 and their dependencies)
     * @param secure         SASL_SSL with SCRAM-SHA-512 and ACLs instead of PLAINTEXT (class comment)
     */
    public record Settings(Path dataDir, int port, int controllerPort, String classpath, boolean secure) {

        /** A PLAINTEXT broker. */
        public Settings(Path dataDir, int port, int controllerPort, String classpath) {
            this(dataDir, port, controllerPort, classpath, false);
        }
    }

    /** How long creating the principals and their ACLs may take. */
    public static final Duration PRINCIPALS_TIMEOUT = Duration.ofSeconds(30);

    private final ChildProcess child;
    private final int port;
    private final int controllerPort;
    private final boolean formattedNow;
    private final Duration startupTime;
    private final ScramCredentials admin;

    private KafkaBrokerProcess(ChildProcess child, int port, int controllerPort, boolean formattedNow,
                               Duration startupTime, ScramCredentials admin) {
        this.admin = admin;
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
        boolean formatNow = !Files.exists(logDir.resolve("meta.properties"));
        ScramCredentials admin = settings.secure() ? secureSetup(dataDir, formatNow) : null;
        Map<String, String> security = admin == null ? Map.of() : SaslSslBroker.brokerConfig(SECURE_LISTENER,
                CONTROLLER_LISTENER, admin, dataDir.resolve(TLS).resolve(KEYSTORE), admin.truststorePassword());
        Files.writeString(serverProperties, serverProperties(port, controllerPort, logDir, security),
                StandardCharsets.UTF_8);
        if (admin != null) {
            restrictToOwner(serverProperties);
        }
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

        if (formatNow) {
            format(jvm, serverProperties, logsDir.resolve("kafka-storage-format.log"), dataDir, children, admin);
        }

        long started = System.nanoTime();
        List<String> command = new ArrayList<>(jvm);
        command.add("kafka.Kafka");
        command.add(serverProperties.toString());
        ChildProcess broker = children.start("kafka-broker", ChildProcess.Role.BROKER, command, Map.of(), brokerLog,
                dataDir);
        try {
            awaitAnswer(broker, HOST + ":" + port, admin);
        } catch (StackFailure | InterruptedException | RuntimeException e) {
            broker.stop(ChildProcesses.BROKER_GRACE);
            throw e;
        }
        return new KafkaBrokerProcess(broker, port, controllerPort, formatNow,
                Duration.ofNanos(System.nanoTime() - started), admin);
    }

    /**
     * The secure broker's files under {@code tls/}: a new CA, the broker's key store and the trust store at every
     * start, the administrator's password on first start, and the administrator's client settings file.
     *
     * @throws StackFailure when the storage was formatted without security (no administrator password kept)
     */
    private static ScramCredentials secureSetup(Path dataDir, boolean formatNow) throws IOException, StackFailure {
        Path tls = Files.createDirectories(dataDir.resolve(TLS));
        Path passwordFile = tls.resolve("admin.password");
        if (!Files.exists(passwordFile)) {
            if (!formatNow) {
                throw new StackFailure("the data directory " + dataDir + " holds a cluster formatted without --secure,"
                        + " which has no administrator to log in as; start with --wipe to begin again secure");
            }
            Files.writeString(passwordFile, ScramCredentials.newPassword(), StandardCharsets.UTF_8);
            restrictToOwner(passwordFile);
        }
        String storePassword = ScramCredentials.newPassword();
        CertificateAuthority ca = CertificateAuthority.create("local-stack CA", Duration.ofDays(30));
        ca.writeServerKeystore(tls.resolve(KEYSTORE), storePassword.toCharArray(), "localhost",
                List.of("localhost", HOST));
        Path truststore = ca.writeTruststore(tls.resolve("truststore.p12"), storePassword.toCharArray());
        ScramCredentials admin = new ScramCredentials(SaslSslBroker.ADMIN,
                Files.readString(passwordFile, StandardCharsets.UTF_8).strip(), truststore, storePassword);
        Path adminProperties = tls.resolve("admin.properties");
        StringBuilder text = new StringBuilder("# The administrator's client settings (--command-config of Kafka's tools)\n");
        admin.clientConfig().forEach((key, value) -> text.append(key).append('=')
                .append(value.replace("\\", "\\\\")).append('\n'));
        Files.writeString(adminProperties, text, StandardCharsets.UTF_8);
        restrictToOwner(adminProperties);
        return admin;
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the data directory's own permissions apply
        }
    }

    private static void format(List<String> jvm, Path serverProperties, Path formatLog, Path dataDir,
                               ChildProcesses children, ScramCredentials admin)
            throws IOException, StackFailure, InterruptedException {
        List<String> command = new ArrayList<>(jvm);
        command.addAll(List.of("kafka.tools.StorageTool", "format",
                "-t", Uuid.randomUuid().toString(), "-c", serverProperties.toString()));
        if (admin != null) {
            command.addAll(List.of("--add-scram", SaslSslBroker.formatScramArgument(admin)));
        }
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

    private static void awaitAnswer(ChildProcess broker, String bootstrapServers, ScramCredentials credentials)
            throws StackFailure, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Exception lastError = null;
        try (Admin admin = Admin.create(adminConfig(bootstrapServers, credentials))) {
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

    /**
     * The {@code server.properties} of a single-node combined broker and controller.
     *
     * @param security empty for PLAINTEXT, else the SASL_SSL listener's settings ({@link SaslSslBroker#brokerConfig})
     */
    static String serverProperties(int port, int controllerPort, Path logDir, Map<String, String> security) {
        String listener = security.isEmpty() ? "PLAINTEXT" : SECURE_LISTENER;
        List<String> securityLines = new ArrayList<>();
        security.forEach((key, value) -> securityLines.add(key + "=" + value.replace("\\", "\\\\")));
        return String.join("\n",
                "# Written by the local stack on every start; edits are overwritten.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + HOST + ":" + controllerPort,
                "listeners=" + listener + "://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
                        + controllerPort,
                "advertised.listeners=" + listener + "://" + HOST + ":" + port,
                "controller.listener.names=" + CONTROLLER_LISTENER,
                "inter.broker.listener.name=" + listener,
                security.isEmpty() ? "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
                        : "# SASL_SSL with SCRAM-SHA-512 and ACLs (--secure)\n" + String.join("\n", securityLines),
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

    /**
     * Admin client settings for a broker on {@code bootstrapServers}, with short timeouts.
     *
     * @param credentials the administrator of a secure broker, or null
     */
    static Properties adminConfig(String bootstrapServers, ScramCredentials credentials) {
        Properties config = new Properties();
        if (credentials != null) {
            config.putAll(credentials.clientConfig());
        }
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
        return Admin.create(adminConfig(bootstrapServers(), admin));
    }

    /** Whether the broker runs SASL_SSL with ACLs ({@link Settings#secure()}). */
    public boolean secure() {
        return admin != null;
    }

    /**
     * The security settings a client of this broker needs besides {@code bootstrap.servers}: the administrator's on a
     * secure broker, none on a PLAINTEXT one.
     *
     * @return {@code security.protocol}, {@code sasl.*} and {@code ssl.truststore.*}, or an empty map
     */
    public Map<String, String> adminSecurity() {
        return admin == null ? Map.of() : admin.clientConfig();
    }

    /**
     * Creates the principals of {@link ServiceAcls#ALL} on this secure broker, each with a new random password and
     * exactly its ACLs, and waits until the broker enforces them.
     *
     * @return each principal's credentials by user name ({@code traffic-analytics}, ..., {@code event-generator})
     * @throws IllegalStateException when the broker is not secure, or the principals cannot be created within
     *                               {@link #PRINCIPALS_TIMEOUT}
     */
    public Map<String, ScramCredentials> createServicePrincipals() {
        if (admin == null) {
            throw new IllegalStateException("a PLAINTEXT broker has no principals");
        }
        Map<String, ScramCredentials> principals = new LinkedHashMap<>();
        for (ServiceAcls.PrincipalAcls principal : ServiceAcls.ALL) {
            principals.put(principal.user(), admin.as(principal.user(), ScramCredentials.newPassword()));
        }
        try (Admin client = admin()) {
            SaslSslBroker.createPrincipals(client, principals.values(),
                    ServiceAcls.ALL.stream().flatMap(p -> p.bindings().stream()).toList(), PRINCIPALS_TIMEOUT);
        }
        return principals;
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
