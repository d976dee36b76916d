package dev.streamtemplate.systemtests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Queries instances continuously while something happens to them (a kill, a restart, a new instance): a few virtual
 * users, each sending one request, waiting for its answer (at most the client's timeout) and pausing briefly, to a
 * random instance of {@code targets} with a random query of {@code queries}. Every answer is kept as an
 * {@link Outcome}, for the rules of {@link AnswerRules}.
 */
final class ContinuousQueries implements AutoCloseable {

    /**
     * One query.
     *
     * @param kind         what it asks ({@code page-views}, {@code sessions}, {@code top-pages}, ...)
     * @param pathAndQuery path and query string
     * @param spansKeys    whether it spans keys (an {@code AcrossInstancesAnswer}) rather than one key
     * @param absentIs404  whether 404 is a valid answer (an absent key: a user without a cart)
     */
    record Query(String kind, String pathAndQuery, boolean spansKeys, boolean absentIs404) {

        /** A query whose answer for an absent key is 200 with an empty array. */
        Query(String kind, String pathAndQuery, boolean spansKeys) {
            this(kind, pathAndQuery, spansKeys, false);
        }
    }

    /**
     * One request and its answer.
     *
     * @param target the instance asked (host:port)
     * @param query  what was asked
     * @param answer what came back
     */
    record Outcome(String target, Query query, RoutedAnswer answer) {
    }

    private final QueryClient client;
    private final Supplier<List<ServiceInstance>> targets;
    private final Function<Random, Query> queries;
    private final int users;
    private final Duration pause;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private ScheduledExecutorService scheduler;

    /**
     * @param targets the instances to ask, read before every request (so instances can join)
     * @param queries draws the next query
     * @param users   how many requests may be in flight at once
     * @param pause   each user's pause between an answer and its next request
     */
    ContinuousQueries(QueryClient client, Supplier<List<ServiceInstance>> targets, Function<Random, Query> queries,
                      int users, Duration pause) {
        this.client = client;
        this.targets = targets;
        this.queries = queries;
        this.users = users;
        this.pause = pause;
    }

    /** Starts the users. */
    ContinuousQueries start() {
        scheduler = Executors.newScheduledThreadPool(users, runnable -> {
            Thread thread = new Thread(runnable, "continuous-queries");
            thread.setDaemon(true);
            return thread;
        });
        for (int user = 0; user < users; user++) {
            Random random = new Random(7919L * (user + 1));
            scheduler.scheduleWithFixedDelay(() -> askOnce(random), user * 5L, pause.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void askOnce(Random random) {
        List<ServiceInstance> now = targets.get();
        if (now.isEmpty()) {
            return;
        }
        ServiceInstance target = now.get(random.nextInt(now.size()));
        Query query = queries.apply(random);
        try {
            outcomes.add(new Outcome(target.endpoint(), query, client.get(target.uri(query.pathAndQuery()))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // kept as an outcome without an answer: a scheduled task that throws would stop this user silently
            outcomes.add(new Outcome(target.endpoint(), query, new RoutedAnswer(target.uri(query.pathAndQuery()), 0,
                    e.toString(), null, null, null, null, null, 0, false)));
        }
    }

    /** How many answers so far. */
    int count() {
        return outcomes.size();
    }

    /** Stops the users, lets requests in flight finish (within the client's timeout) and returns every outcome. */
    List<Outcome> stop() throws InterruptedException {
        if (scheduler != null) {
            scheduler.shutdown();
            if (!scheduler.awaitTermination(client.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                scheduler.shutdownNow();
                throw new IllegalStateException("query users did not finish within the client timeout + 5 s");
            }
        }
        return new ArrayList<>(outcomes);
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
