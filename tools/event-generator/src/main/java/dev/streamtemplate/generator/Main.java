package dev.streamtemplate.generator;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.KafkaException;

/**
 * The generator's command line: replays a past period as fast as possible, or produces live traffic
 * paced by the wall clock, to Kafka. See {@link CliOptions#USAGE} and the module README. With {@code topics} as
 * its first argument it creates the catalogue's topics instead ({@link TopicsCommand}); with {@code acls} it prints
 * every principal's ACLs ({@link AclsCommand}).
 *
 * <p>Prints progress every 2 seconds (events and rate in the last interval, totals per topic) and a
 * final {@code summary:} line (average rate) on stdout. Exit code 0 on success, 1 on a Kafka failure,
 * 2 on bad arguments. On SIGTERM or Ctrl-C it stops sending, flushes, prints the summary and closes the
 * producer; the JVM then exits with the signal's usual code (143 or 130). It connects as {@link KafkaConnection}
 * says: PLAINTEXT, or SASL_SSL from the {@code KAFKA_*} environment variables the services read.
 */
public final class Main {

    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(2);
    private static final long MAX_PACING_SLEEP_MILLIS = 200;

    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Instant lastEventTime;
    private final long startNanos = System.nanoTime();
    private long intervalStartNanos = startNanos;
    private long intervalStartTotal;

    private Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the CLI and exits with its code. */
    public static void main(String[] args) {
        System.exit(new Main(System.out, System.err).run(args));
    }

    private int run(String[] args) {
        if (args.length > 0 && args[0].equals("topics")) {
            return topics(Arrays.copyOfRange(args, 1, args.length));
        }
        if (args.length > 0 && args[0].equals("acls")) {
            return acls(Arrays.copyOfRange(args, 1, args.length));
        }
        CliOptions options;
        GeneratorConfig config;
        try {
            options = CliOptions.parse(args);
            if (options.help()) {
                out.println(CliOptions.USAGE);
                return 0;
            }
            config = options.toConfig(Instant.now());
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(CliOptions.USAGE);
            return 2;
        }
        boolean live = options.mode() == CliOptions.Mode.LIVE;
        ShopTrafficGenerator generator = new ShopTrafficGenerator(config);
        out.println(live
                ? String.format(Locale.ROOT, "live: seed %d, %d users for about %.1f events/s, from %s (sized by --rate; --users applies to replay)",
                        config.seed(), config.users(), config.eventsPerSecond(), config.start())
                : String.format(Locale.ROOT, "replay: seed %d, %d users, %d products, %s to %s",
                        config.seed(), config.users(), config.products(), config.start(), config.end()));

        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAndAwait, "event-generator-shutdown"));
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "event-generator-progress");
            t.setDaemon(true);
            return t;
        });
        try (EventPublisher publisher = new EventPublisher(KafkaConnection.clientConfig(options.bootstrapServers(),
                System.getenv()))) {
            publisher.checkTopics();
            progress.scheduleAtFixedRate(() -> out.println(progressLine(publisher)),
                    PROGRESS_INTERVAL.toMillis(), PROGRESS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            Stream<GeneratedEvent> events = live ? generator.unbounded() : generator.replayStream();
            Iterator<GeneratedEvent> it = events.limit(options.maxEvents()).iterator();
            long wallOrigin = System.currentTimeMillis();
            long simulatedOrigin = config.start().toEpochMilli();
            while (!stopping && it.hasNext()) {
                GeneratedEvent event = it.next();
                if (live && !awaitWallClock(event.deliveryTime())) {
                    break;
                }
                if (!live && options.speed() > 0 && !awaitWallClock(Instant.ofEpochMilli(wallOrigin
                        + (long) ((event.deliveryTime().toEpochMilli() - simulatedOrigin) / options.speed())))) {
                    break;
                }
                publisher.send(event);
                lastEventTime = event.eventTime();
            }
            publisher.flush();
            progress.shutdownNow();
            out.println("summary: mode=" + options.mode().name().toLowerCase(Locale.ROOT) + " seed=" + config.seed()
                    + " users=" + config.users() + (stopping ? " stopped-by-signal" : "") + " "
                    + statusLine(publisher, startNanos, 0));
            return 0;
        } catch (PublishException | KafkaException e) {
            err.println("error: Kafka failure at " + options.bootstrapServers() + ": " + e.getMessage());
            return 1;
        } finally {
            progress.shutdownNow();
            finished.countDown();
        }
    }

    private int acls(String[] args) {
        if (Arrays.asList(args).contains("--help")) {
            out.println(AclsCommand.USAGE);
            return 0;
        }
        try {
            return AclsCommand.parse(args).run(out);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(AclsCommand.USAGE);
            return 2;
        }
    }

    private int topics(String[] args) {
        if (Arrays.asList(args).contains("--help")) {
            out.println(TopicsCommand.USAGE);
            return 0;
        }
        TopicsCommand command;
        try {
            command = TopicsCommand.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(TopicsCommand.USAGE);
            return 2;
        }
        try {
            return command.run(out, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Waits until the wall clock reaches {@code deliveryTime}; false if stopped meanwhile. */
    private boolean awaitWallClock(Instant deliveryTime) {
        long wait;
        while (!stopping && (wait = deliveryTime.toEpochMilli() - System.currentTimeMillis()) > 0) {
            try {
                Thread.sleep(Math.min(wait, MAX_PACING_SLEEP_MILLIS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !stopping;
    }

    /** The shutdown hook: asks the send loop to stop, then waits for it to flush and close the producer. */
    private void stopAndAwait() {
        stopping = true;
        try {
            finished.await(45, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Status with the rate since the previous progress line; runs on the progress thread only. */
    private String progressLine(EventPublisher publisher) {
        long now = System.nanoTime();
        String line = statusLine(publisher, intervalStartNanos, intervalStartTotal);
        intervalStartNanos = now;
        intervalStartTotal = publisher.sentTotal();
        return line;
    }

    /** Totals, and the rate of the events sent since {@code sinceNanos} beyond the first {@code sinceTotal}. */
    private String statusLine(EventPublisher publisher, long sinceNanos, long sinceTotal) {
        double seconds = (System.nanoTime() - sinceNanos) / 1e9;
        long total = publisher.sentTotal();
        Map<String, Long> perTopic = publisher.sentPerTopic();
        return String.format(Locale.ROOT, "elapsed=%.1fs events=%d acked=%d rate=%.0f/s last-event-time=%s %s",
                (System.nanoTime() - startNanos) / 1e9, total,
                publisher.acknowledgedTotal(), (total - sinceTotal) / Math.max(seconds, 1e-3),
                lastEventTime == null ? "-" : lastEventTime,
                perTopic.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
    }
}
