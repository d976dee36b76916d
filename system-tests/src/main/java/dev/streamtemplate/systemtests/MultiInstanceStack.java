package dev.streamtemplate.systemtests;

import dev.streamtemplate.harness.ChildProcess;
import dev.streamtemplate.harness.ChildProcesses;
import dev.streamtemplate.harness.KafkaBrokerProcess;
import dev.streamtemplate.harness.LocalPorts;
import dev.streamtemplate.harness.RepositoryLayout;
import dev.streamtemplate.harness.StackFailure;
import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCreationException;
import dev.streamtemplate.schemas.TopicCreator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;

/**
 * A real single-node KRaft broker as its own process, with every topic of {@link TopicCatalogue#ALL}, and any number of
 * service instances as child JVMs ({@link ServiceInstance}), all under one data directory:
 *
 * <pre>
 * kafka/ config/ logs/broker.log   the broker (process-harness' {@link KafkaBrokerProcess})
 * logs/&lt;instance&gt;.log            each instance's stdout and stderr
 * state/&lt;instance&gt;/               each instance's Kafka Streams state directory
 * children.pids                    what a run killed with SIGKILL left behind, stopped by the next run
 * </pre>
 *
 * <p>The broker's classpath is the one process-harness' build writes ({@link KafkaBrokerProcess#CLASSPATH_FILE}).
 * {@link #close()} stops every instance, then the broker.
 */
public final class MultiInstanceStack implements AutoCloseable {

    /** How long creating the topics may take. */
    static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(30);

    private final RepositoryLayout repository;
    private final Path dataDir;
    private final ChildProcesses children;
    private final String brokerClasspath;
    private volatile KafkaBrokerProcess broker;
    private final Consumer<String> log;
    private final java.util.Set<Integer> usedPorts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private MultiInstanceStack(RepositoryLayout repository, Path dataDir, ChildProcesses children,
                               String brokerClasspath, KafkaBrokerProcess broker, Consumer<String> log) {
        this.repository = repository;
        this.brokerClasspath = brokerClasspath;
        this.dataDir = dataDir;
        this.children = children;
        this.broker = broker;
        this.log = log;
    }

    /**
     * Empties {@code dataDir} (after stopping children an earlier run left there), starts the broker and creates the
     * catalogue's topics.
     *
     * @param dataDir where everything goes; emptied first
     * @param log     receives one line per step
     * @throws StackFailure when the broker classpath is not built or the broker does not start
     */
    public static MultiInstanceStack start(Path dataDir, Consumer<String> log)
            throws StackFailure, IOException, InterruptedException {
        RepositoryLayout repository = RepositoryLayout.locate(Path.of(""));
        String brokerClasspath = KafkaBrokerProcess.builtClasspath(repository);
        Path data = dataDir.toAbsolutePath().normalize();
        Path pidFile = data.resolve("children.pids");
        if (Files.exists(pidFile)) {
            ChildProcesses.stopLeftovers(pidFile).forEach(log);
        }
        deleteRecursively(data);
        Files.createDirectories(data);
        ChildProcesses children = new ChildProcesses(pidFile, log);
        Runtime.getRuntime().addShutdownHook(new Thread(children::stopAll, "system-test-children-shutdown"));
        KafkaBrokerProcess broker;
        try {
            broker = KafkaBrokerProcess.start(new KafkaBrokerProcess.Settings(data, 0, 0, brokerClasspath), children);
            try (Admin admin = broker.admin()) {
                TopicCreator.createAll(admin, TopicCatalogue.ALL, TOPICS_TIMEOUT);
            } catch (TopicCreationException e) {
                throw new StackFailure(e.getMessage(), null, e);
            }
        } catch (StackFailure | IOException | InterruptedException | RuntimeException e) {
            children.stopAll();
            throw e;
        }
        log.accept("broker up on " + broker.bootstrapServers() + " in " + broker.startupTime().toMillis()
                + " ms (pid " + broker.child().pid() + ", log " + broker.child().logFile() + "); "
                + TopicCatalogue.ALL.size() + " topics created");
        return new MultiInstanceStack(repository, data, children, brokerClasspath, broker, log);
    }

    /** {@code host:port} of the broker. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The broker. */
    public KafkaBrokerProcess broker() {
        return broker;
    }

    /**
     * Stops the broker (SIGTERM: a controlled shutdown, SIGKILL after {@link ChildProcesses#BROKER_GRACE}) and starts
     * it again on the same ports with the same log directory, so that clients reconnect to the same bootstrap address
     * and find every topic, committed offset and transaction state as the broker left them. Returns once the new
     * broker answers an Admin request. The stopped broker's log is kept as
     * {@code logs/broker-before-restart-<pid>.log}; the restarted broker writes a new {@code logs/broker.log}.
     *
     * @return how long the broker was unavailable: from the stop to the first Admin answer
     * @throws StackFailure when the broker does not start again
     */
    public synchronized Duration restartBroker() throws StackFailure, IOException, InterruptedException {
        long stopped = System.nanoTime();
        int exit = broker.child().stop(ChildProcesses.BROKER_GRACE);
        Path brokerLog = broker.child().logFile();
        Path kept = brokerLog.resolveSibling("broker-before-restart-" + broker.child().pid() + ".log");
        Files.copy(brokerLog, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        log.accept("broker stopped (exit code " + exit + "); its log kept as " + kept);
        broker = KafkaBrokerProcess.start(new KafkaBrokerProcess.Settings(dataDir, broker.port(), broker.controllerPort(),
                brokerClasspath), children);
        Duration down = Duration.ofNanos(System.nanoTime() - stopped);
        log.accept("broker up again on " + broker.bootstrapServers() + " (pid " + broker.child().pid() + ") after "
                + down.toMillis() + " ms");
        return down;
    }

    /** The data directory. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Settings for a new instance of {@code service}: a free HTTP port, state under {@code state/<name>}, and the
     * given JVM options and properties.
     */
    public ServiceInstance.Settings newInstance(String service, String name, List<String> jvmOptions,
                                                Map<String, String> properties) {
        int port = LocalPorts.pickFree();
        while (!usedPorts.add(port) || port == broker.port() || port == broker.controllerPort()) {
            port = LocalPorts.pickFree();
        }
        return new ServiceInstance.Settings(service, name, port, dataDir.resolve("state").resolve(name), jvmOptions,
                properties);
    }

    /**
     * Starts an instance; returns at once. {@code logName} names its log file under {@code logs/} (a restart gets a
     * new one, so the log of the run before it is kept).
     */
    public ServiceInstance start(ServiceInstance.Settings settings, String logName)
            throws IOException, StackFailure {
        ServiceInstance instance = ServiceInstance.start(settings, repository.root(), bootstrapServers(),
                dataDir.resolve("logs").resolve(logName + ".log"), children);
        log.accept("started " + instance + ", log " + instance.child().logFile());
        return instance;
    }

    /**
     * Starts another child, such as a baseline job of a benchmark, registered like an instance: stopped with the
     * stack, its stdout and stderr in {@code logs/<name>.log}, its working directory the repository root.
     *
     * @param command the command line, program first
     * @throws StackFailure when the stack is stopping
     */
    public ChildProcess startProcess(String name, List<String> command) throws IOException, StackFailure {
        ChildProcess child = children.start(name, ChildProcess.Role.SERVICE, command, Map.of(),
                dataDir.resolve("logs").resolve(name + ".log"), repository.root());
        log.accept("started " + name + " (pid " + child.pid() + "), log " + child.logFile());
        return child;
    }

    /** Stops every instance still running, then the broker. */
    @Override
    public void close() {
        children.stopAll();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                if (e != null) {
                    throw new UncheckedIOException(e);
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
