package dev.streamtemplate.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtemplate.harness.KafkaBrokerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchOptionsTest {

    @Test
    void noArgumentsMeansTheDefaults() throws Exception {
        LaunchOptions options = LaunchOptions.parse();

        assertThat(options).isEqualTo(new LaunchOptions(false, false, false, Path.of("local-stack-data"), 9092, 9093, 9090, false));
    }

    @Test
    void readsEveryFlagWithSeparateOrInlineValues() throws Exception {
        LaunchOptions options = LaunchOptions.parse("--demo", "--wipe", "--data-dir", "/tmp/stack",
                "--kafka-port=19092", "--controller-port", "0", "--prometheus-port=0", "--secure");

        assertThat(options).isEqualTo(new LaunchOptions(true, true, false, Path.of("/tmp/stack"), 19092, 0, 0, true));
        assertThat(LaunchOptions.parse("--help").help()).isTrue();
        assertThat(LaunchOptions.parse("--data-dir=d").dataDir()).isEqualTo(Path.of("d"));
    }

    @Test
    void rejectsWhatItDoesNotUnderstand() {
        assertThatThrownBy(() -> LaunchOptions.parse("--demo", "--fast"))
                .isInstanceOf(LaunchOptions.UsageException.class).hasMessage("unknown argument: --fast");
        assertThatThrownBy(() -> LaunchOptions.parse("demo"))
                .hasMessage("unknown argument: demo");
        assertThatThrownBy(() -> LaunchOptions.parse("--kafka-port"))
                .hasMessage("--kafka-port needs a value");
        assertThatThrownBy(() -> LaunchOptions.parse("--data-dir", "--wipe"))
                .hasMessage("--data-dir needs a value");
        assertThatThrownBy(() -> LaunchOptions.parse("--kafka-port", "ninety"))
                .hasMessage("--kafka-port must be a port number, not 'ninety'");
        assertThatThrownBy(() -> LaunchOptions.parse("--controller-port", "70000"))
                .hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> LaunchOptions.parse("--kafka-port", "9093"))
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> LaunchOptions.parse("--wipe=yes"))
                .hasMessage("--wipe takes no value");
    }

    @Test
    void theLauncherExitsWith2AndUsageOnABadFlag(@TempDir Path workingDir) throws Exception {
        Result result = launch(workingDir, "--frobnicate");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.output()).contains("unknown argument: --frobnicate").contains("Usage:");
    }

    @Test
    void theLauncherPrintsUsageOnHelp(@TempDir Path workingDir) throws Exception {
        Result result = launch(workingDir, "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).contains("Usage:").contains("--demo").contains("--controller-port");
    }

    @Test
    void theLauncherExplainsWhereToRunItFromOutsideTheRepository(@TempDir Path workingDir) throws Exception {
        Result result = launch(workingDir, "--demo");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("no repository root");
    }

    private record Result(int exitCode, String output) {
    }

    /** Runs the real main method in a JVM of its own, as {@code java -jar} would. */
    private static Result launch(Path workingDir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(KafkaBrokerProcess.javaExecutable(), "-cp",
                System.getProperty("java.class.path"), LocalStack.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
