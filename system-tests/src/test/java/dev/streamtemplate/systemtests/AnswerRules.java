package dev.streamtemplate.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtemplate.systemtests.ContinuousQueries.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What every answer must be while instances die, restart and join: answered (never a hang past the client's
 * timeout), 200 (or 404 for an absent key where the API says so) or 503 and never another 5xx, every 503 with {@code Retry-After}, every key answer saying who served it
 * and from which replica, a standby's answer within the lag bound, and an answer that spans keys either complete or
 * marked partial, never silently incomplete.
 */
final class AnswerRules {

    private AnswerRules() {
    }

    /** Every broken rule, one line each (empty when all hold). */
    static List<String> violations(List<Outcome> outcomes, long standbyMaxLag, Duration clientTimeout) {
        List<String> violations = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            String problem = violation(outcome, standbyMaxLag, clientTimeout);
            if (problem != null) {
                violations.add(problem + ": " + outcome.answer().summary());
            }
        }
        return violations;
    }

    private static String violation(Outcome outcome, long standbyMaxLag, Duration clientTimeout) {
        RoutedAnswer answer = outcome.answer();
        if (!answer.answered()) {
            return answer.timedOut() ? "no answer within the client timeout of " + clientTimeout.toMillis() + " ms"
                    : "no HTTP answer";
        }
        if (answer.latencyNanos() > clientTimeout.toNanos()) {
            return "slower than the client timeout";
        }
        if (answer.status() == 503) {
            return answer.retryAfter() == null ? "503 without Retry-After" : null;
        }
        if (answer.status() >= 500) {
            return "HTTP " + answer.status() + " (5xx other than 503)";
        }
        if (answer.status() == 404 && outcome.query().absentIs404()) {
            // an absent key; its serving headers are not checked here
            return null;
        }
        if (answer.status() != 200) {
            return "HTTP " + answer.status() + " to a valid query";
        }
        if (answer.servedBy() == null) {
            return "200 without " + RoutedAnswer.SERVED_BY;
        }
        return outcome.query().spansKeys() ? acrossInstancesViolation(answer) : keyViolation(answer, standbyMaxLag);
    }

    private static String keyViolation(RoutedAnswer answer, long standbyMaxLag) {
        OptionalLong lag = answer.offsetLagValue();
        if (lag.isEmpty()) {
            return "200 without a numeric " + RoutedAnswer.OFFSET_LAG;
        }
        if ("active".equals(answer.replica()) || "standby".equals(answer.replica())) {
            // an active task still restoring may answer a request forwarded for a standby, with its lag: within the
            // bound like a standby's (the settled checks of the tests require lag 0 from the active)
            return lag.getAsLong() <= standbyMaxLag ? null : answer.replica() + " answer with offset lag "
                    + lag.getAsLong() + " above the bound " + standbyMaxLag;
        }
        return "200 with " + RoutedAnswer.REPLICA + " '" + answer.replica() + "'";
    }

    private static String acrossInstancesViolation(RoutedAnswer answer) {
        JsonNode json = answer.jsonIfAny().orElse(null);
        if (json == null || !json.path("complete").isBoolean() || !json.path("missingPartitions").isArray()
                || !json.path("results").isArray()) {
            return "answer that spans keys without complete/missingPartitions/results";
        }
        boolean complete = json.path("complete").asBoolean();
        boolean partialHeader = "true".equals(answer.partial());
        int missing = json.path("missingPartitions").size();
        if (complete && (partialHeader || missing > 0)) {
            return "complete=true but " + missing + " missing partitions, " + RoutedAnswer.PARTIAL + " " + answer.partial();
        }
        if (!complete && (!partialHeader || missing == 0)) {
            return "complete=false (silently incomplete): " + missing + " missing partitions, " + RoutedAnswer.PARTIAL
                    + " " + answer.partial();
        }
        return null;
    }

    /**
     * What happened in one phase, for the console.
     *
     * @param phase           the phase's name
     * @param requests        requests sent
     * @param statuses        status to count (0: no answer)
     * @param local           200s served by the instance asked, from its active task
     * @param forwarded       200s served by another instance's active task
     * @param standby         200s served by a standby
     * @param laggingActive   200s served by an active task with a positive offset lag (still restoring)
     * @param partial         answers that span keys marked partial
     * @param maxLatencyMillis the slowest answer
     * @param maxStandbyLag   the largest offset lag of a standby answer
     * @param settleMillis    from the event (kill, restart) to a settled placement
     */
    record PhaseSummary(String phase, int requests, Map<Integer, Integer> statuses, int local, int forwarded,
                        int standby, int laggingActive, int partial, double maxLatencyMillis, long maxStandbyLag,
                        long settleMillis) {

        static PhaseSummary of(String phase, List<Outcome> outcomes, long settleMillis) {
            Map<Integer, Integer> statuses = new TreeMap<>();
            int local = 0;
            int forwarded = 0;
            int standby = 0;
            int laggingActive = 0;
            int partial = 0;
            double maxLatency = 0;
            long maxLag = 0;
            for (Outcome outcome : outcomes) {
                RoutedAnswer answer = outcome.answer();
                statuses.merge(answer.status(), 1, Integer::sum);
                maxLatency = Math.max(maxLatency, answer.latencyMillis());
                if (answer.status() != 200) {
                    continue;
                }
                if ("true".equals(answer.partial())) {
                    partial++;
                }
                if ("standby".equals(answer.replica())) {
                    standby++;
                    maxLag = Math.max(maxLag, answer.offsetLagValue().orElse(0));
                } else if (!outcome.query().spansKeys()) {
                    if (answer.offsetLagValue().orElse(0) > 0) {
                        laggingActive++;
                    }
                    if (outcome.target().equals(answer.servedBy())) {
                        local++;
                    } else {
                        forwarded++;
                    }
                }
            }
            return new PhaseSummary(phase, outcomes.size(), statuses, local, forwarded, standby, laggingActive, partial,
                    maxLatency, maxLag, settleMillis);
        }

        String line() {
            return String.format(Locale.ROOT, "%-38s requests %5d  statuses %-30s  200s: local %4d, forwarded %4d, "
                            + "standby %4d (max lag %d)%s  partial %3d  max latency %6.1f ms  settled after %s",
                    phase, requests, statuses, local, forwarded, standby, maxStandbyLag,
                    laggingActive == 0 ? "" : ", active with lag > 0: " + laggingActive, partial, maxLatencyMillis,
                    settleMillis < 0 ? "-" : String.format(Locale.ROOT, "%.1f s", settleMillis / 1000.0));
        }
    }
}
