package dev.streamtemplate.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One running Quarkus service of the local stack: a child JVM started from its fast-jar
 * ({@code java <jvm options> -jar services/<name>/target/quarkus-app/quarkus-run.jar}, working directory the
 * repository root), configured by environment variables, logging to {@code <data dir>/logs/<name>.log}.
 */
public final class ServiceProcess {

    /** The readiness endpoint every service has (SmallRye Health). */
    public static final String READINESS_PATH = "/q/health/ready";
    /** The Prometheus endpoint every service has (Micrometer). */
    public static final String METRICS_PATH = "/q/metrics";

    private final ServiceSpec spec;
    private final ChildProcess child;

    private ServiceProcess(ServiceSpec spec, ChildProcess child) {
        this.spec = spec;
        this.child = child;
    }

    /**
     * Checks that nothing listens on the service's HTTP port yet.
     *
     * @throws StackFailure naming the port and the service when something does
     */
    public static void checkPortFree(ServiceSpec spec) throws StackFailure {
        if (!LocalPorts.isFree(spec.httpPort())) {
            throw new StackFailure("HTTP port " + spec.httpPort() + " of " + spec.name()
                    + " is already in use (another local stack, or a service started by hand?). "
                    + "Stop whatever listens there, or change the port in StackServices.");
        }
    }

    /**
     * Starts the service; returns at once (see {@link #awaitReady}).
     *
     * @param repositoryRoot   where {@code services/} is
     * @param bootstrapServers the broker
     * @param kafkaLogin       the service principal's {@code KAFKA_*} security variables on a secure broker
     *                         ({@link dev.streamtemplate.security.ScramCredentials#environment()}), else none
     * @param dataDir          the local stack's data directory: state under {@code state/<name>}, log under
     *                         {@code logs/<name>.log}
     * @throws StackFailure when the stack is stopping
     */
    public static ServiceProcess start(ServiceSpec spec, Path repositoryRoot, String bootstrapServers,
                                       Map<String, String> kafkaLogin, Path dataDir,
                                       ChildProcesses children) throws IOException, StackFailure {
        Path stateDir = Files.createDirectories(dataDir.toAbsolutePath().resolve("state").resolve(spec.name()));
        Map<String, String> environment = new TreeMap<>(spec.environment());
        environment.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        environment.putAll(kafkaLogin);
        environment.put("QUARKUS_HTTP_PORT", Integer.toString(spec.httpPort()));
        environment.put("KAFKA_STREAMS_STATE_DIR", stateDir.toString());
        environment.put("QUARKUS_KAFKA_STREAMS_APPLICATION_SERVER", "localhost:" + spec.httpPort());

        List<String> command = new ArrayList<>();
        command.add(KafkaBrokerProcess.javaExecutable());
        command.addAll(spec.jvmOptions());
        command.add(ServiceSpec.URI_CHECK_BY_THE_SERVICE);
        command.add("-jar");
        command.add(repositoryRoot.resolve(spec.runnable()).toString());
        Path logFile = dataDir.toAbsolutePath().resolve("logs").resolve(spec.name() + ".log");
        ChildProcess child = children.start(spec.name(), ChildProcess.Role.SERVICE, command, environment, logFile,
                repositoryRoot);
        return new ServiceProcess(spec, child);
    }

    /**
     * Waits until the readiness endpoint answers 200 (Kafka Streams RUNNING, stores queryable).
     *
     * @param deadline a {@link System#nanoTime()} value
     * @param timeout  the bound the deadline stands for, for the message
     * @param children the stack's children: waiting ends when the broker or another service dies
     * @throws StackFailure when the service (or the broker) exits first, or it is not ready by the deadline
     */
    public void awaitReady(HttpClient http, long deadline, Duration timeout, ChildProcesses children)
            throws StackFailure, InterruptedException {
        while (true) {
            if (!child.isAlive()) {
                throw new StackFailure(spec.name() + " exited with code " + child.process().exitValue()
                        + " before it was ready", child);
            }
            ChildProcess dead = children.unexpectedExit().getNow(null);
            if (dead != null) {
                throw new StackFailure(dead.name() + " exited unexpectedly with code " + dead.process().exitValue()
                        + " while " + spec.name() + " was starting", dead);
            }
            if (QueryAnswer.fetch(http, uri(READINESS_PATH)).status() == 200) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                throw new StackFailure(spec.name() + " was not ready within " + timeout.toSeconds() + " s ("
                        + uri(READINESS_PATH) + " did not answer 200)", child);
            }
            child.awaitExit(Duration.ofMillis(500)); // a pause that ends early if the service dies
        }
    }

    /** The URI of {@code path} (with its query string) on this service. */
    public URI uri(String path) {
        return URI.create("http://localhost:" + spec.httpPort() + path);
    }

    /** What the service is. */
    public ServiceSpec spec() {
        return spec;
    }

    /** Its child process. */
    public ChildProcess child() {
        return child;
    }
}
