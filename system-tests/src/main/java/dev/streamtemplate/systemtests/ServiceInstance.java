package dev.streamtemplate.systemtests;

import dev.streamtemplate.harness.ChildProcess;
import dev.streamtemplate.harness.ChildProcesses;
import dev.streamtemplate.harness.ServiceSpec;
import dev.streamtemplate.harness.StackFailure;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One instance of a Quarkus service as its own JVM, started from the service's fast-jar
 * ({@code services/<service>/target/quarkus-app/quarkus-run.jar}) with its own HTTP port, state directory and
 * {@code application.server}, configured by system properties ({@code -Dkafka-streams.session.timeout.ms=...}:
 * dotted Kafka names survive as they are, which environment variables would not).
 *
 * <p>Several instances of one service form one Kafka Streams group (the same {@code application.id}); each finds
 * the others through the group's assignment and reaches them at their {@code application.server}.
 */
public final class ServiceInstance {

    /** How long a graceful stop (SIGTERM) may take before SIGKILL. */
    public static final Duration STOP_GRACE = Duration.ofSeconds(20);

    /**
     * The {@code query.forwarding-secret} every instance this JVM starts shares (environment variable
     * {@code QUERY_FORWARDING_SECRET}), random per JVM.
     */
    public static final String FORWARDING_SECRET = randomSecret();

    private static String randomSecret() {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        return HexFormat.of().formatHex(secret);
    }

    /**
     * How to run one instance.
     *
     * @param service    the service's directory under {@code services/}
     * @param name       the instance's name, unique in a run ({@code traffic-analytics-2}); names its log file
     * @param httpPort   its HTTP port; its {@code application.server} is {@code localhost:<httpPort>}
     * @param stateDir   its Kafka Streams state directory, its own
     * @param jvmOptions heap and GC options
     * @param properties further configuration as system properties, on top of the ones every instance gets
     */
    public record Settings(String service, String name, int httpPort, Path stateDir, List<String> jvmOptions,
                           Map<String, String> properties) {

        /** {@code localhost:<httpPort>}: the instance's {@code application.server}, as the routing layer names it. */
        public String endpoint() {
            return "localhost:" + httpPort;
        }

        /** The fast-jar, relative to the repository root. */
        public Path runnable() {
            return spec().runnable();
        }

        /** The Maven command that builds the runnable. */
        public String buildCommand() {
            return spec().buildCommand();
        }

        private ServiceSpec spec() {
            return new ServiceSpec(service, httpPort, jvmOptions, Map.of(), List.of());
        }
    }

    private final Settings settings;
    private final ChildProcess child;

    private ServiceInstance(Settings settings, ChildProcess child) {
        this.settings = settings;
        this.child = child;
    }

    /**
     * Starts the instance; returns at once.
     *
     * @param repositoryRoot   where {@code services/} is; the child's working directory
     * @param bootstrapServers the broker
     * @param logFile          receives the instance's stdout and stderr (emptied first)
     * @param children         where it is registered, so that it is stopped with the rest
     * @throws StackFailure when the runnable is not built, or the children are stopping
     */
    public static ServiceInstance start(Settings settings, Path repositoryRoot, String bootstrapServers, Path logFile,
                                        ChildProcesses children) throws IOException, StackFailure {
        Path runnable = repositoryRoot.resolve(settings.runnable());
        if (!Files.isRegularFile(runnable)) {
            throw new StackFailure(settings.service() + " is not built: " + runnable + " is missing. Build it with: "
                    + settings.buildCommand());
        }
        Files.createDirectories(settings.stateDir());
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.http.port", Integer.toString(settings.httpPort()));
        properties.put("kafka.bootstrap.servers", bootstrapServers);
        properties.put("quarkus.kafka-streams.application-server", settings.endpoint());
        properties.put("kafka-streams.state.dir", settings.stateDir().toAbsolutePath().toString());
        properties.putAll(settings.properties());

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(settings.jvmOptions());
        command.add(ServiceSpec.URI_CHECK_BY_THE_SERVICE);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(runnable.toString());
        ChildProcess child = children.start(settings.name(), ChildProcess.Role.SERVICE, command,
                Map.of("QUERY_FORWARDING_SECRET", FORWARDING_SECRET), logFile,
                repositoryRoot);
        return new ServiceInstance(settings, child);
    }

    /** How it was started. */
    public Settings settings() {
        return settings;
    }

    /** {@code localhost:<port>}, its {@code application.server}. */
    public String endpoint() {
        return settings.endpoint();
    }

    /** Its name, such as {@code traffic-analytics-2}. */
    public String name() {
        return settings.name();
    }

    /** The URI of {@code pathAndQuery} on this instance. */
    public URI uri(String pathAndQuery) {
        return URI.create("http://" + endpoint() + pathAndQuery);
    }

    /** Its child process. */
    public ChildProcess child() {
        return child;
    }

    /** Whether its JVM still runs. */
    public boolean isAlive() {
        return child.isAlive();
    }

    /**
     * SIGKILL: the JVM dies at once, without shutdown hooks, without leaving the consumer group and without
     * committing or aborting its open transaction, as a crashed pod would. Returns once the process is gone.
     */
    public void kill() throws InterruptedException {
        child.process().destroyForcibly(); // SIGKILL on Linux; setsid made the pid the JVM's own
        if (!child.process().waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name() + " (pid " + child.pid() + ") survived SIGKILL for 10 s");
        }
    }

    /** SIGTERM (Quarkus closes Kafka Streams cleanly), then SIGKILL after {@link #STOP_GRACE}. */
    public int stop() {
        return child.stop(STOP_GRACE);
    }

    @Override
    public String toString() {
        return name() + " (" + endpoint() + ", pid " + child.pid() + ")";
    }
}
