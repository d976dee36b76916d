package dev.streamtemplate.deployment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One finished run of an external command: its exit code and its output (stdout and stderr merged).
 *
 * @param command  the command line
 * @param exitCode the exit code; -1 when it was killed at its timeout
 * @param output   stdout and stderr, merged
 */
record CommandRun(List<String> command, int exitCode, String output) {

    /** Whether it exited 0. */
    boolean succeeded() {
        return exitCode == 0;
    }

    /** Its output, trimmed, when it exited 0. @throws IllegalStateException with the output otherwise */
    String outputOrThrow() {
        if (!succeeded()) {
            throw new IllegalStateException(this.toString());
        }
        return output.trim();
    }

    @Override
    public String toString() {
        return String.join(" ", command) + " exited " + exitCode + ":\n" + output;
    }

    /**
     * Runs {@code command} in {@code directory} with {@code environment} added to this JVM's, and waits for it.
     *
     * @param timeout killed after this long (exit code -1)
     * @throws IOException when the command cannot be started (not installed)
     */
    static CommandRun run(Path directory, Map<String, String> environment, Duration timeout, List<String> command)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("command", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor();
            }
            return new CommandRun(command, finished ? process.exitValue() : -1,
                    Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
