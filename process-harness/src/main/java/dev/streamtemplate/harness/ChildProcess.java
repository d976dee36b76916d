package dev.streamtemplate.harness;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One child process of the launcher (the broker, a service, a generator run): its name, the OS process and the
 * log file that receives its stdout and stderr. The launcher's console never shows a child's output.
 */
public final class ChildProcess {

    /** The role of a child, which decides when it is stopped and what its unexpected exit means. */
    public enum Role {
        /** A service: stopped first; its death stops the stack. */
        SERVICE,
        /** A generator run: stopped after the services; its exit is reported, never fatal by itself. */
        GENERATOR,
        /** A one-shot tool (storage formatting): waited for; stopped with the generator runs if still running. */
        TOOL,
        /** Prometheus: stopped after the generator runs; its exit is reported, never fatal by itself. */
        MONITOR,
        /** The Kafka broker: stopped last; its death stops the stack. */
        BROKER
    }

    private static final int TAIL_BYTES = 64 * 1024;
    /** util-linux's setsid on Linux, else null (see {@link #inOwnSession}). */
    private static final String SETSID = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
            ? Stream.of("/usr/bin/setsid", "/bin/setsid").filter(path -> Files.isExecutable(Path.of(path)))
                    .findFirst().orElse(null)
            : null;

    private final String name;
    private final Role role;
    private final Process process;
    private final Path logFile;

    private ChildProcess(String name, Role role, Process process, Path logFile) {
        this.name = name;
        this.role = role;
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * Starts a child whose stdout and stderr go to {@code logFile} (emptied first, then appended to, so that a
     * logging framework in the child may append to the same file).
     *
     * @param command     the command line, program first
     * @param environment variables added to the launcher's own environment
     * @param workingDir  the child's working directory
     */
    public static ChildProcess start(String name, Role role, List<String> command, Map<String, String> environment,
                                     Path logFile, Path workingDir) throws IOException {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        Files.write(logFile, new byte[0]);
        ProcessBuilder builder = new ProcessBuilder(inOwnSession(command))
                .directory(workingDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close(); // the child reads end-of-file, never waits on the launcher's stdin
        return new ChildProcess(name, role, process, logFile);
    }

    /**
     * Ctrl-C in a terminal sends SIGINT to every process of the foreground process group, children included: the
     * broker would stop at the same time as the services, not after them. On Linux, {@code setsid} (util-linux)
     * runs the child in a session of its own, so only the launcher gets the signal and stops the children in
     * order. {@code setsid} replaces itself with the command, so the pid stays the child's. Elsewhere the command
     * runs as is (children then stop on Ctrl-C by themselves, concurrently; none is left behind).
     */
    private static List<String> inOwnSession(List<String> command) {
        if (SETSID == null) {
            return command;
        }
        List<String> detached = new ArrayList<>(command.size() + 1);
        detached.add(SETSID);
        detached.addAll(command);
        return detached;
    }

    /** The child's name as the console shows it. */
    public String name() {
        return name;
    }

    /** The child's role. */
    public Role role() {
        return role;
    }

    /** The OS process. */
    public Process process() {
        return process;
    }

    /** The OS process id. */
    public long pid() {
        return process.pid();
    }

    /** The file that holds the child's stdout and stderr. */
    public Path logFile() {
        return logFile;
    }

    /** Whether the child still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, if the child has exited. */
    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /**
     * Waits at most {@code timeout} for the child to exit.
     *
     * @return whether it has exited
     */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the child and every process it started: SIGTERM (so a JVM runs its shutdown hooks), then, after
     * {@code grace}, SIGKILL. Returns once the child is gone.
     *
     * @return the child's exit code
     */
    public int stop(Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        boolean exited = awaitQuietly(grace);
        if (!exited) {
            process.destroyForcibly();
            awaitQuietly(Duration.ofSeconds(10));
        }
        for (ProcessHandle descendant : descendants) {
            if (descendant.isAlive()) {
                descendant.destroyForcibly();
            }
        }
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Asks the child to stop (SIGTERM) without waiting, so that several children stop in parallel. */
    void requestStop() {
        process.destroy();
    }

    private boolean awaitQuietly(Duration timeout) {
        try {
            return awaitExit(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** The last {@code lines} lines of the log file (fewer if it is shorter; empty if it cannot be read). */
    public List<String> logTail(int lines) {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long start = Math.max(0, file.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (file.length() - start)];
            file.seek(start);
            file.readFully(bytes);
            List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
