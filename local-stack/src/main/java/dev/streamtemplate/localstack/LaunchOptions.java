package dev.streamtemplate.localstack;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The launcher's command line, parsed.
 *
 * @param demo           bounded run: replay a fixed amount of traffic, print query answers, stop, exit
 * @param wipe           delete the data directory before starting
 * @param help           print usage and exit
 * @param dataDir        where broker data, service state and every child's log file go
 * @param kafkaPort      the broker's client port; 0 picks a free one
 * @param controllerPort the KRaft controller port; 0 picks a free one
 * @param prometheusPort Prometheus' port (when Prometheus is installed); 0, or a port that is taken, picks a free one
 * @param secure         SASL_SSL with SCRAM-SHA-512 and ACLs: every process logs in as its own principal
 */
public record LaunchOptions(boolean demo, boolean wipe, boolean help, Path dataDir, int kafkaPort, int controllerPort,
                            int prometheusPort, boolean secure) {

    /** Default data directory, relative to the working directory. */
    public static final Path DEFAULT_DATA_DIR = Path.of("local-stack-data");
    /** Default broker client port. */
    public static final int DEFAULT_KAFKA_PORT = 9092;
    /** Default KRaft controller port. */
    public static final int DEFAULT_CONTROLLER_PORT = 9093;
    /** Default Prometheus port. */
    public static final int DEFAULT_PROMETHEUS_PORT = 9090;

    /** A command line the launcher does not understand; the message says why. */
    public static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Parses the command line. Both {@code --flag value} and {@code --flag=value} are accepted.
     *
     * @throws UsageException for an unknown flag, a missing or malformed value, or two equal ports
     */
    public static LaunchOptions parse(String... args) throws UsageException {
        boolean demo = false;
        boolean wipe = false;
        boolean help = false;
        boolean secure = false;
        Path dataDir = DEFAULT_DATA_DIR;
        int kafkaPort = DEFAULT_KAFKA_PORT;
        int controllerPort = DEFAULT_CONTROLLER_PORT;
        int prometheusPort = DEFAULT_PROMETHEUS_PORT;

        Deque<String> rest = new ArrayDeque<>(Arrays.asList(args));
        while (!rest.isEmpty()) {
            String arg = rest.removeFirst();
            String flag = arg;
            String inlineValue = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                flag = arg.substring(0, eq);
                inlineValue = arg.substring(eq + 1);
            }
            switch (flag) {
                case "--demo" -> demo = noValue(flag, inlineValue);
                case "--wipe" -> wipe = noValue(flag, inlineValue);
                case "--help", "-h" -> help = noValue(flag, inlineValue);
                case "--secure" -> secure = noValue(flag, inlineValue);
                case "--data-dir" -> {
                    String value = value(flag, inlineValue, rest);
                    if (value.isBlank()) {
                        throw new UsageException("--data-dir needs a directory");
                    }
                    dataDir = Path.of(value);
                }
                case "--kafka-port" -> kafkaPort = port(flag, value(flag, inlineValue, rest));
                case "--controller-port" -> controllerPort = port(flag, value(flag, inlineValue, rest));
                case "--prometheus-port" -> prometheusPort = port(flag, value(flag, inlineValue, rest));
                default -> throw new UsageException("unknown argument: " + arg);
            }
        }
        if (kafkaPort != 0 && kafkaPort == controllerPort) {
            throw new UsageException("--kafka-port and --controller-port must differ (both are " + kafkaPort + ")");
        }
        return new LaunchOptions(demo, wipe, help, dataDir, kafkaPort, controllerPort, prometheusPort, secure);
    }

    /** The usage text printed by {@code --help} and after a bad command line. */
    public static String usage() {
        return """
                Usage: java -jar local-stack/target/local-stack.jar [options]   (run from the repository root)

                Starts a single-node KRaft Kafka broker, creates every topic, starts every service, Prometheus
                (when installed) and the event generator (a replay of the last 2 hours, then live traffic at
                ~50 events/s), prints URLs to try and a few live answers, and runs until Ctrl-C.

                Options:
                  --demo                 bounded run: replay a fixed amount of traffic, wait until the services
                                         answer with data, print the answers, stop everything, exit 0
                  --wipe                 delete the data directory first (a fresh cluster and fresh state)
                  --secure               the broker listens SASL_SSL (SCRAM-SHA-512, a CA made at start) with
                                         ACLs; every service and the generator log in as their own principal
                  --data-dir DIR         data directory: broker data, service state, log files
                                         (default: ./local-stack-data)
                  --kafka-port N         broker port (default 9092; 0 picks a free port)
                  --controller-port N    KRaft controller port (default 9093; 0 picks a free port)
                  --prometheus-port N    Prometheus port, when Prometheus is installed (default 9090; 0, or a
                                         port that is taken, picks a free port)
                  --help                 print this text

                Exit status: 0 after a clean stop or a successful --demo, 1 when something failed (the
                message names the process and its log file), 2 for a bad command line.
                """;
    }

    private static boolean noValue(String flag, String inlineValue) throws UsageException {
        if (inlineValue != null) {
            throw new UsageException(flag + " takes no value");
        }
        return true;
    }

    private static String value(String flag, String inlineValue, Deque<String> rest) throws UsageException {
        if (inlineValue != null) {
            return inlineValue;
        }
        if (rest.isEmpty() || rest.peekFirst().startsWith("--")) {
            throw new UsageException(flag + " needs a value");
        }
        return rest.removeFirst();
    }

    private static int port(String flag, String value) throws UsageException {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new UsageException(flag + " must be a port number between 0 and 65535, not " + value);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " must be a port number, not '" + value + "'");
        }
    }
}
