package dev.streamtemplate.systemtests;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * When the fault-injection test does what, as positions in the replay (the number of events handed to the producer),
 * drawn from a fixed seed: so a run is reproducible in what it does, while how far each service got when a fault hits
 * depends on the machine, as it would in production.
 *
 * <ul>
 *   <li>{@code kills} SIGKILLs, at uniformly random positions between 10 % and 85 % of the replay, each of a random
 *       instance slot that is up (the first ones cover every service once, in random order); the slot's instance is started again (same port, same state directory) 500 to 4,000 events
 *       later, as a container runtime restarts a crashed pod;</li>
 *   <li>one broker restart (a controlled shutdown, then a start on the same ports and log directory) at a random
 *       position between 40 % and 60 %, at least 3,000 events away from every kill and restart;</li>
 *   <li>the poison records, at 50 %.</li>
 * </ul>
 *
 * @param actions every action, ordered by position
 */
record FaultPlan(List<Action> actions) {

    /** What happens at a position. */
    enum Kind { KILL, RESTART, BROKER_RESTART, POISON }

    /**
     * One action.
     *
     * @param atEvent the number of replay events handed to the producer before it is due
     * @param kind    what to do
     * @param slot    the instance slot (an index into the fleet's slots) for a kill or a restart; -1 otherwise
     */
    record Action(long atEvent, Kind kind, int slot) {
    }

    /**
     * Draws a plan.
     *
     * @param seed   the seed of every draw
     * @param events the number of events of the replay
     * @param slots  the number of instance slots: slot {@code s} is an instance of service {@code s / instancesPerService}
     * @param instancesPerService instances of each service
     * @param kills  the number of SIGKILLs, at least 1
     */
    static FaultPlan draw(long seed, int events, int slots, int instancesPerService, int kills) {
        Random random = new Random(seed);
        List<Action> actions = new ArrayList<>();
        long[] killsAt = new long[kills];
        for (int i = 0; i < kills; i++) {
            killsAt[i] = (long) (events * (0.10 + 0.75 * random.nextDouble()));
        }
        java.util.Arrays.sort(killsAt);
        long[] downUntil = new long[slots];
        List<Integer> coverage = new ArrayList<>();
        for (int service = 0; service < slots / instancesPerService; service++) {
            coverage.add(service);
        }
        java.util.Collections.shuffle(coverage, random);
        for (long at : killsAt) {
            // a slot whose instance is down (killed, not restarted yet) is not killed again
            List<Integer> up = new ArrayList<>();
            for (int slot = 0; slot < slots; slot++) {
                if (downUntil[slot] <= at) {
                    up.add(slot);
                }
            }
            // the first kills take one instance of each service in turn (a random one of its instances that is up),
            // so that every service is killed at least once; the rest any instance that is up
            int service = coverage.isEmpty() ? -1 : coverage.remove(0);
            List<Integer> ofService = up.stream().filter(s -> s / instancesPerService == service).toList();
            List<Integer> candidates = ofService.isEmpty() ? up : ofService;
            int slot = candidates.get(random.nextInt(candidates.size()));
            long restartAt = at + 500 + random.nextInt(3_500);
            downUntil[slot] = restartAt + 1;
            actions.add(new Action(at, Kind.KILL, slot));
            actions.add(new Action(restartAt, Kind.RESTART, slot));
        }
        actions.add(new Action(events / 2, Kind.POISON, -1));
        long brokerAt;
        do {
            brokerAt = (long) (events * (0.40 + 0.20 * random.nextDouble()));
        } while (tooClose(brokerAt, actions, 3_000));
        actions.add(new Action(brokerAt, Kind.BROKER_RESTART, -1));
        actions.sort(Comparator.comparingLong(Action::atEvent).thenComparing(Action::kind));
        return new FaultPlan(List.copyOf(actions));
    }

    private static boolean tooClose(long at, List<Action> actions, long distance) {
        return actions.stream().anyMatch(a -> Math.abs(a.atEvent() - at) < distance);
    }

    long count(Kind kind) {
        return actions.stream().filter(a -> a.kind() == kind).count();
    }
}
