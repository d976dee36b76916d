package dev.streamtemplate.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Every child process the launcher started, and the one place that stops them: services first, then generator
 * runs, then the broker, each with SIGTERM and, after a bound, SIGKILL, descendants included.
 *
 * <p>It watches each child with {@link Process#onExit()}: when the broker or a service exits while the stack is
 * not stopping, {@link #unexpectedExit()} completes with it. It also keeps a pid file (pid, start time, role and name per
 * line), so that a later run can stop children an earlier launcher left behind when it was killed with SIGKILL
 * and had no chance to stop them ({@link #stopLeftovers}).
 */
public final class ChildProcesses implements AutoCloseable {

    /** How long a service gets to shut down after SIGTERM. */
    public static final Duration SERVICE_GRACE = Duration.ofSeconds(20);
    /** How long a generator run gets to shut down after SIGTERM. */
    public static final Duration GENERATOR_GRACE = Duration.ofSeconds(10);
    /** How long the broker gets for a controlled shutdown after SIGTERM. */
    public static final Duration BROKER_GRACE = Duration.ofSeconds(30);

    private final Path pidFile;
    private final Consumer<String> progress;
    private final List<ChildProcess> children = new ArrayList<>();
    private final CompletableFuture<ChildProcess> unexpectedExit = new CompletableFuture<>();
    private volatile boolean stopping;

    /**
     * @param pidFile  where to record the children's pids, or null for no record
     * @param progress receives one console line per stopped child
     */
    public ChildProcesses(Path pidFile, Consumer<String> progress) {
        this.pidFile = pidFile;
        this.progress = progress;
    }

    /**
     * Starts a child (see {@link ChildProcess#start}) and watches it.
     *
     * @throws StackFailure if the stack is already stopping (Ctrl-C arrived)
     */
    public synchronized ChildProcess start(String name, ChildProcess.Role role, List<String> command,
                                           Map<String, String> environment, Path logFile, Path workingDir)
            throws IOException, StackFailure {
        if (stopping) {
            throw new StackFailure("the local stack is stopping; not starting " + name);
        }
        ChildProcess child = ChildProcess.start(name, role, command, environment, logFile, workingDir);
        children.add(child);
        record(child);
        child.process().onExit().thenRun(() -> {
            if (!stopping && (role == ChildProcess.Role.BROKER || role == ChildProcess.Role.SERVICE)) {
                unexpectedExit.complete(child);
            }
        });
        return child;
    }

    /** Completes with the first broker or service that exited while the stack was not stopping. */
    public CompletableFuture<ChildProcess> unexpectedExit() {
        return unexpectedExit;
    }

    /** Whether {@link #stopAll()} has begun. */
    public boolean isStopping() {
        return stopping;
    }

    /** Stops every child still running, services first and the broker last. Safe to call more than once. */
    public synchronized void stopAll() {
        stopping = true;
        List<ChildProcess> running = children.stream().filter(ChildProcess::isAlive).toList();
        List<ChildProcess> services = withRole(running, ChildProcess.Role.SERVICE);
        services.forEach(ChildProcess::requestStop); // in parallel; each is then awaited in stop()
        services.forEach(child -> stopOne(child, SERVICE_GRACE));
        withRole(running, ChildProcess.Role.GENERATOR).forEach(child -> stopOne(child, GENERATOR_GRACE));
        withRole(running, ChildProcess.Role.TOOL).forEach(child -> stopOne(child, GENERATOR_GRACE));
        withRole(running, ChildProcess.Role.MONITOR).forEach(child -> stopOne(child, GENERATOR_GRACE));
        withRole(running, ChildProcess.Role.BROKER).forEach(child -> stopOne(child, BROKER_GRACE));
        if (pidFile != null) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                progress.accept("could not delete " + pidFile + ": " + e.getMessage());
            }
        }
    }

    /** Same as {@link #stopAll()}. */
    @Override
    public void close() {
        stopAll();
    }

    private void stopOne(ChildProcess child, Duration grace) {
        long started = System.nanoTime();
        int exit = child.stop(grace);
        long millis = (System.nanoTime() - started) / 1_000_000;
        progress.accept("stopped " + child.name() + " (pid " + child.pid() + ", exit " + exit + ", " + millis + " ms)");
    }

    private static List<ChildProcess> withRole(List<ChildProcess> children, ChildProcess.Role role) {
        return children.stream().filter(c -> c.role() == role).toList();
    }

    private void record(ChildProcess child) throws IOException {
        if (pidFile == null) {
            return;
        }
        Files.writeString(pidFile, Leftover.line(child), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /**
     * Stops the children listed in {@code pidFile} by an earlier launcher that are still running (the same pid
     * and the same start time, so a reused pid is never touched), services first and the broker last, then deletes
     * the file. Only call it while holding the data directory ({@link DataDirectory}), so that the earlier launcher
     * is known to be gone.
     *
     * @return a line per stopped leftover, for the console
     */
    public static List<String> stopLeftovers(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return List.of();
        }
        List<Leftover> leftovers = new ArrayList<>();
        for (String line : Files.readAllLines(pidFile, StandardCharsets.UTF_8)) {
            Leftover.parse(line).filter(Leftover::isRunning).ifPresent(leftovers::add);
        }
        leftovers.sort(java.util.Comparator.comparing(leftover -> STOP_ORDER.indexOf(leftover.role())));
        List<String> stopped = new ArrayList<>();
        for (Leftover leftover : leftovers) {
            leftover.stop();
            stopped.add("stopped " + leftover.name() + " (pid " + leftover.pid() + ") left running by an earlier launcher");
        }
        Files.deleteIfExists(pidFile);
        return stopped;
    }

    private static final List<ChildProcess.Role> STOP_ORDER = List.of(ChildProcess.Role.SERVICE,
            ChildProcess.Role.GENERATOR, ChildProcess.Role.TOOL, ChildProcess.Role.MONITOR, ChildProcess.Role.BROKER);

    /** A line of the pid file: {@code <pid> <start time, epoch ms> <role> <name>}. */
    private record Leftover(long pid, long startMillis, ChildProcess.Role role, String name) {

        static String line(ChildProcess child) {
            long started = child.process().toHandle().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
            return child.pid() + " " + started + " " + child.role() + " " + child.name() + System.lineSeparator();
        }

        static Optional<Leftover> parse(String line) {
            String[] fields = line.trim().split(" ", 4);
            try {
                return fields.length < 4 ? Optional.empty() : Optional.of(new Leftover(Long.parseLong(fields[0]),
                        Long.parseLong(fields[1]), ChildProcess.Role.valueOf(fields[2]), fields[3]));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }

        Optional<ProcessHandle> handle() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(process -> process.info()
                    .startInstant().map(Instant::toEpochMilli).orElse(-1L) == startMillis);
        }

        boolean isRunning() {
            return handle().isPresent();
        }

        void stop() {
            handle().ifPresent(process -> {
                List<ProcessHandle> descendants = process.descendants().toList();
                process.destroy();
                try {
                    process.onExit().get(BROKER_GRACE.toSeconds(), TimeUnit.SECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    process.destroyForcibly();
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
                descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            });
        }
    }
}
