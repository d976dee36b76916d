package dev.streamtemplate.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs of the event generator ({@code tools/event-generator}, main class {@value #MAIN_CLASS}) as child JVMs,
 * on its jar plus the runtime classpath its build writes to {@code target/classpath.txt}.
 *
 * <p>The local stack runs it twice, one run after the other: a {@linkplain #REPLAY replay} of the last two hours
 * (so windows and sessions hold data right away; it exits when done), then, except with {@code --demo}, a
 * {@linkplain #LIVE live} run at about 50 events/s until the stack stops. The seeds differ, so the live run does
 * not repeat the replay's events.
 */
public final class EventGeneratorProcess {

    /** The generator's main class. */
    public static final String MAIN_CLASS = "dev.streamtemplate.generator.Main";
    /** The Maven command (from the repository root) that builds the generator. */
    public static final String BUILD_COMMAND = "mvn -B -q install -DskipTests -pl tools/event-generator -am";
    /** The generator JVM's options. */
    public static final List<String> JVM_OPTIONS = List.of("-Xmx256m");

    /**
     * Replay: the last 2 hours of traffic of 200 users, at most 20,000 events, seed 42, sent 240 times
     * faster than real time (about a minute, late events included); exits when done. Paced rather than
     * all at once: Kafka Streams works through a backlog partition by partition, so after the
     * repartition by page most of a burst-sent replay would arrive behind stream time and be reported late.
     */
    public static final List<String> REPLAY = List.of("--mode", "replay", "--seed", "42", "--hours", "2", "--users",
            "200", "--speed", "240", "--max-events", "20000");
    /** Live: about 50 events/s (the generator sizes its population for the rate), seed 43, until stopped. */
    public static final List<String> LIVE = List.of("--mode", "live", "--seed", "43", "--rate", "50");

    /**
     * Where the generator's build puts its files, relative to the repository root.
     *
     * @param jar           the generator's jar
     * @param classpathFile its runtime classpath, one line, written by maven-dependency-plugin
     */
    public record Build(Path jar, Path classpathFile) {

        /** The build of generator version {@code version}. */
        public static Build of(String version) {
            Path target = Path.of("tools", "event-generator", "target");
            return new Build(target.resolve("event-generator-" + version + ".jar"), target.resolve("classpath.txt"));
        }
    }

    private EventGeneratorProcess() {
    }

    /**
     * Starts one generator run; its output goes to {@code <data dir>/logs/<runName>.log}.
     *
     * @param runName   the run's name on the console and in its log file's name
     * @param arguments generator flags besides {@code --bootstrap-servers}, e.g. {@link #REPLAY}
     * @param kafkaLogin the {@code KAFKA_*} security variables of {@code User:event-generator} on a secure broker,
     *                   else none
     */
    public static ChildProcess start(String runName, List<String> arguments, RepositoryLayout repository, Build build,
                                     String bootstrapServers, Map<String, String> kafkaLogin, Path dataDir,
                                     ChildProcesses children)
            throws IOException, StackFailure {
        String dependencies = Files.readString(repository.resolve(build.classpathFile()), StandardCharsets.UTF_8).strip();
        String classpath = repository.resolve(build.jar())
                + (dependencies.isEmpty() ? "" : java.io.File.pathSeparator + dependencies);
        List<String> command = new ArrayList<>();
        command.add(KafkaBrokerProcess.javaExecutable());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-cp", classpath, MAIN_CLASS, "--bootstrap-servers", bootstrapServers));
        command.addAll(arguments);
        Path logFile = dataDir.toAbsolutePath().resolve("logs").resolve(runName + ".log");
        return children.start(runName, ChildProcess.Role.GENERATOR, command, kafkaLogin, logFile, repository.root());
    }
}
