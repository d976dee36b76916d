package dev.streamtemplate.generator;

import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.schemas.TopicCatalogue.TopicSpec;
import dev.streamtemplate.schemas.TopicCreationException;
import dev.streamtemplate.schemas.TopicCreator;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;

/**
 * {@code topics}: creates every topic of {@link TopicCatalogue#ALL} that does not exist yet, with its partitions and
 * cleanup policy, and exits; docker-compose runs it once before the services start. It waits for a broker that is
 * still starting, up to {@code --timeout}. Exit codes: 0 done (topics created or already there), 1 a topic could not
 * be created in time or Kafka failed, 2 bad arguments (an unusable bootstrap address included).
 *
 * @param bootstrapServers  Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param replicationFactor replicas of every partition (1 on a single broker)
 * @param timeout           how long to wait for the broker and for each step
 */
record TopicsCommand(String bootstrapServers, short replicationFactor, Duration timeout) {

    /** The usage message. */
    static final String USAGE = """
            Usage: ... dev.streamtemplate.generator.Main topics [options]
              --bootstrap-servers HOST:PORT[,...]  Kafka bootstrap servers (default localhost:9092)
              --replication-factor N              replicas per partition (default 1)
              --timeout SECONDS                   wait this long for the broker (default 120)
            Creates every topic of TopicCatalogue that does not exist yet; exit codes: 0 done, 1 failed, 2 bad arguments.""";

    /**
     * Parses {@code --flag value} and {@code --flag=value} arguments.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static TopicsCommand parse(String... args) {
        Map<String, String> flags = CommandFlags.parse(args, Set.of("--bootstrap-servers", "--replication-factor",
                "--timeout"));
        String bootstrap = flags.getOrDefault("--bootstrap-servers", "localhost:9092");
        long replicas = flags.containsKey("--replication-factor")
                ? whole("--replication-factor", flags.get("--replication-factor"), Short.MAX_VALUE) : 1;
        long timeoutSeconds = flags.containsKey("--timeout")
                ? whole("--timeout", flags.get("--timeout"), Integer.MAX_VALUE / 1000) : 120;
        if (bootstrap.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers must not be blank");
        }
        return new TopicsCommand(bootstrap, (short) replicas, Duration.ofSeconds(timeoutSeconds));
    }

    /** Creates the topics, printing one line per topic created or found; returns the exit code. */
    int run(PrintStream out, PrintStream err) throws InterruptedException {
        int timeoutMs = (int) timeout.toMillis();
        java.util.Properties config = KafkaConnection.clientConfig(bootstrapServers, System.getenv());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        try (Admin admin = Admin.create(config)) {
            TopicCreator.Outcome outcome = TopicCreator.createAll(admin, TopicCatalogue.ALL, replicationFactor, timeout);
            outcome.created().forEach(name -> out.println("created " + describe(name)));
            outcome.existing().forEach(name -> out.println("exists  " + name));
            out.println("topics: " + outcome.created().size() + " created, " + outcome.existing().size()
                    + " already there, at " + bootstrapServers);
            return 0;
        } catch (TopicCreationException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (ConfigException e) {
            err.println("error: --bootstrap-servers " + bootstrapServers + ": " + e.getMessage());
            return 2;
        } catch (KafkaException e) {
            err.println("error: Kafka failure at " + bootstrapServers + ": " + e.getMessage());
            return 1;
        }
    }

    private static String describe(String name) {
        TopicSpec spec = TopicCatalogue.ALL.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
        return name + " (" + spec.partitions() + " partitions, " + spec.cleanup().configValue() + ")";
    }

    private static long whole(String flag, String value, long max) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 1 || parsed > max) {
                throw new IllegalArgumentException(flag + " must be between 1 and " + max + ", was " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a whole number, was '" + value + "'");
        }
    }
}
