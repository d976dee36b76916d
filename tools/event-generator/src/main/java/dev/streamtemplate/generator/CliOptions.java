package dev.streamtemplate.generator;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The command line of {@link Main}, parsed and checked.
 *
 * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param mode             replay a past period as fast as possible, or produce live traffic
 * @param seed             the generator seed
 * @param hours            replay length in hours (fractions allowed)
 * @param start            replay start (ISO-8601 instant), or {@code null} for now minus {@code hours}
 *                         truncated to the minute
 * @param users            replay population
 * @param products         catalogue size
 * @param rate             live mode's target rate in events per second; sizes the live population
 * @param speed            replay: how many times faster than real time to send (by delivery time);
 *                         {@code 0} sends as fast as Kafka takes it
 * @param maxEvents        stop after this many events, {@code Long.MAX_VALUE} for no limit
 * @param heavyHitters     users who browse without pause ({@link GeneratorConfig.HeavyHitters#NONE} for none)
 * @param help             only print the usage
 */
public record CliOptions(String bootstrapServers, Mode mode, long seed, double hours, Instant start, int users,
                         int products, double rate, double speed, long maxEvents,
                         GeneratorConfig.HeavyHitters heavyHitters, boolean help) {

    /** How events are paced. */
    public enum Mode {
        /** Simulate a past period and send it as fast as Kafka takes it. */
        REPLAY,
        /** Simulate from now on and send each event when the wall clock reaches its delivery time. */
        LIVE
    }

    /** The usage message. */
    public static final String USAGE = """
            Usage: java -cp <jar>:<classpath> dev.streamtemplate.generator.Main [topics] [options]
              topics                              create the topics of TopicCatalogue and exit (--help for its options)
              --bootstrap-servers HOST:PORT[,...]  Kafka bootstrap servers (default localhost:9092)
              --mode replay|live                  replay: a past period as fast as possible (default);
                                                  live: real-time traffic with event time near now
              --seed N                            random seed (default 42)
              --hours H                           replay: simulated hours, fractions allowed (default 1)
              --start ISO-8601                    replay: start instant, e.g. 2025-01-01T00:00:00Z
                                                  (default: now minus --hours, truncated to the minute)
              --users N                           replay: number of users (default 200)
              --products N                        number of products (default 100)
              --rate R                            live: target events per second; sizes the population
                                                  (default 50)
              --speed X                           replay: send X times faster than real time, paced by
                                                  delivery time (default: as fast as possible)
              --max-events N                      stop after N events (default: no limit)
              --heavy-hitters U,E                 a share U of the users send a share E of the events
                                                  without session gaps, e.g. 0.01,0.3 (default: none)
              --help                              print this message
            Environment: KAFKA_SECURITY_PROTOCOL=SASL_SSL with KAFKA_SASL_JAAS_CONFIG and
              KAFKA_SSL_TRUSTSTORE_LOCATION, KAFKA_SSL_TRUSTSTORE_PASSWORD log in as the services do (default PLAINTEXT).
            Exit codes: 0 success, 1 Kafka failure, 2 bad arguments.""";

    /**
     * Parses {@code --flag value} and {@code --flag=value} arguments.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    public static CliOptions parse(String... args) {
        String bootstrap = "localhost:9092";
        Mode mode = Mode.REPLAY;
        long seed = 42;
        double hours = 1;
        Instant start = null;
        int users = 200;
        int products = 100;
        double rate = 50;
        long maxEvents = Long.MAX_VALUE;
        double speed = 0;
        GeneratorConfig.HeavyHitters heavyHitters = GeneratorConfig.HeavyHitters.NONE;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value = null;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            if (flag.equals("--help") || flag.equals("-h")) {
                return new CliOptions(bootstrap, mode, seed, hours, start, users, products, rate, speed, maxEvents, heavyHitters, true);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + flag);
                }
                value = args[++i];
            }
            switch (flag) {
                case "--bootstrap-servers" -> bootstrap = nonBlank(flag, value);
                case "--mode" -> mode = switch (value) {
                    case "replay" -> Mode.REPLAY;
                    case "live" -> Mode.LIVE;
                    default -> throw new IllegalArgumentException("--mode must be replay or live, was '" + value + "'");
                };
                case "--seed" -> seed = parseLong(flag, value, Long.MIN_VALUE);
                case "--hours" -> hours = parsePositiveDouble(flag, value);
                case "--start" -> start = parseInstant(flag, value);
                case "--users" -> users = (int) parseLong(flag, value, 1, Integer.MAX_VALUE);
                case "--products" -> products = (int) parseLong(flag, value, 1, Integer.MAX_VALUE);
                case "--rate" -> rate = parsePositiveDouble(flag, value);
                case "--max-events" -> maxEvents = parseLong(flag, value, 1);
                case "--speed" -> speed = parsePositiveDouble(flag, value);
                case "--heavy-hitters" -> heavyHitters = parseHeavyHitters(flag, value);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        return new CliOptions(bootstrap, mode, seed, hours, start, users, products, rate, speed, maxEvents, heavyHitters, false);
    }

    /** The replay length: {@code hours} as a {@link Duration}, rounded to milliseconds. */
    public Duration replayLength() {
        return Duration.ofMillis(Math.round(hours * 3_600_000));
    }

    /**
     * The generator configuration. Replay: from {@link #start()} or {@code now - hours} truncated to the
     * minute, for {@code hours}. Live: from {@code now} with the population sized for {@link #rate()}.
     *
     * @param now the wall clock (ISO-8601 instant)
     */
    public GeneratorConfig toConfig(Instant now) {
        GeneratorConfig base = GeneratorConfig.defaults().withSeed(seed).withUsers(users).withProducts(products)
                .withDuration(replayLength()).withEventsPerSecond(rate).withHeavyHitters(heavyHitters);
        if (mode == Mode.LIVE) {
            return base.forLive(now);
        }
        return base.withStart(start != null ? start : now.minus(replayLength()).truncatedTo(ChronoUnit.MINUTES));
    }

    private static String nonBlank(String flag, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(flag + " must not be blank");
        }
        return value;
    }

    private static long parseLong(String flag, String value, long min) {
        return parseLong(flag, value, min, Long.MAX_VALUE);
    }

    private static long parseLong(String flag, String value, long min, long max) {
        try {
            long n = Long.parseLong(value);
            if (n < min || n > max) {
                throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, was '" + value + "'");
        }
    }

    private static double parsePositiveDouble(String flag, String value) {
        try {
            double d = Double.parseDouble(value);
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(flag + " must be a positive number, was " + value);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, was '" + value + "'");
        }
    }

    private static GeneratorConfig.HeavyHitters parseHeavyHitters(String flag, String value) {
        String[] shares = value.split(",");
        if (shares.length != 2) {
            throw new IllegalArgumentException(flag + " must be two shares U,E such as 0.01,0.3, was '" + value + "'");
        }
        try {
            return new GeneratorConfig.HeavyHitters(Double.parseDouble(shares[0].trim()),
                    Double.parseDouble(shares[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be two numbers U,E such as 0.01,0.3, was '" + value + "'");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    private static Instant parseInstant(String flag, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(flag + " must be an ISO-8601 instant like 2025-01-01T00:00:00Z, was '"
                    + value + "'");
        }
    }
}
