package dev.streamtemplate.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtemplate.systemtests.ContinuousQueries.Outcome;
import dev.streamtemplate.systemtests.ContinuousQueries.Query;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The two changes every routing system test makes to its group while a part of the traffic is published and clients
 * keep asking: a SIGKILL of one instance ({@link #kill}), then its restart on the same port and state directory with
 * one new instance ({@link #restartAndAdd}). Each returns once the group has settled, the part is published and the
 * clients got at least 100 more answers; {@link #assertRules} then checks every answer against {@link AnswerRules}.
 *
 * @param group         the instances
 * @param randomQuery   the clients' next query
 * @param notes         where what happened is written down, for the test's summary
 * @param publishBound  how long publishing a part may take
 */
record ChangeUnderTraffic(InstanceGroup group, Function<Random, Query> randomQuery, Consumer<String> notes,
                          Duration publishBound) {

    /** Answers after the group settled that every phase waits for. */
    static final int ANSWERS_AFTER_SETTLED = 100;

    /**
     * What the clients saw during one change.
     *
     * @param outcomes     every answer (or failure) the clients got
     * @param settleMillis how long the group took to settle after the change
     * @param afterSettled answers in the 30 s after it settled
     */
    record Result(List<Outcome> outcomes, long settleMillis, int afterSettled) {
    }

    /**
     * SIGKILLs {@code victim} once the traffic flows and the others have answered 30 queries.
     *
     * @param victim      the instance to kill
     * @param publication the part of the traffic being published
     * @param part        its name, for messages
     */
    Result kill(ServiceInstance victim, TrafficReplay.Publication publication, String part) throws Exception {
        List<ServiceInstance> survivors = group.live().stream().filter(i -> i != victim).toList();
        try (ContinuousQueries queries = group.queries(survivors, randomQuery)) {
            awaitFlowing(publication);
            await("answers from the survivors before the kill").atMost(Duration.ofSeconds(30))
                    .until(() -> queries.count() >= 30);
            long killedAt = System.nanoTime();
            group.kill(victim);
            notes.accept("SIGKILL " + victim + " after " + publication.sent().get() + " of " + publication.total()
                    + " events of " + part);
            long settleMillis = group.awaitSettled(killedAt);
            awaitPublished(part, publication);
            int afterSettled = InstanceGroup.letQueriesRun(queries, ANSWERS_AFTER_SETTLED, Duration.ofSeconds(30));
            return new Result(queries.stop(), settleMillis, afterSettled);
        }
    }

    /**
     * Restarts {@code killed} (same port and state directory) and starts {@code newName} once the traffic flows; both
     * are asked as soon as their HTTP server answers, while they join the group and restore.
     *
     * @param killed      the instance killed before
     * @param newName     the new instance's name
     * @param publication the part of the traffic being published
     * @param part        its name, for messages
     */
    Result restartAndAdd(ServiceInstance killed, String newName, TrafficReplay.Publication publication, String part)
            throws Exception {
        List<ServiceInstance> targets = new CopyOnWriteArrayList<>(group.live());
        try (ContinuousQueries queries = group.queries(targets, randomQuery)) {
            awaitFlowing(publication);
            long joinedAt = System.nanoTime();
            ServiceInstance restarted = group.restart(killed);
            ServiceInstance added = group.startNew(newName);
            notes.accept("restarted " + restarted + " (same port and state directory) and started " + added);
            for (ServiceInstance joining : List.of(restarted, added)) {
                group.awaitHttp(joining);
                targets.add(joining);
            }
            group.awaitReady(List.of(restarted, added));
            long settleMillis = group.awaitSettled(joinedAt);
            awaitPublished(part, publication);
            int afterSettled = InstanceGroup.letQueriesRun(queries, ANSWERS_AFTER_SETTLED, Duration.ofSeconds(30));
            return new Result(queries.stop(), settleMillis, afterSettled);
        }
    }

    /**
     * Every answer follows {@link AnswerRules}, and the clients got answers after the group settled.
     *
     * @param result what the clients saw
     * @param during what happened meanwhile, for the message
     */
    void assertRules(Result result, String during) {
        notes.accept("503 reasons " + during + ": " + InstanceGroup.unavailableReasons(result.outcomes()));
        assertThat(InstanceGroup.violations(result.outcomes()))
                .as("answers while %s (%d requests)", during, result.outcomes().size()).isEmpty();
        assertThat(result.afterSettled()).as("answers in the 30 s after the group settled")
                .isGreaterThanOrEqualTo(ANSWERS_AFTER_SETTLED);
    }

    /** Waits until a fifth of the part is sent: the change happens while it flows. */
    static void awaitFlowing(TrafficReplay.Publication publication) {
        await("traffic to flow").atMost(Duration.ofSeconds(60))
                .until(() -> publication.sent().get() >= publication.total() / 5 || publication.done().isDone());
        assertThat(publication.done()).as("the publication is still going when the instances change").isNotDone();
    }

    /** Waits until the part is published, without error. */
    void awaitPublished(String part, TrafficReplay.Publication publication) {
        await(part + " published").atMost(publishBound).until(publication.done()::isDone);
        assertThat(publication.done()).as(part + " published without error").isCompletedWithValue(null);
    }
}
