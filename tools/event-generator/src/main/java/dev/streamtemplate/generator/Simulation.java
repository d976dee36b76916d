package dev.streamtemplate.generator;

import java.time.Instant;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.function.LongConsumer;

/**
 * The discrete-event engine behind {@link ShopTrafficGenerator}: a queue of scheduled actions in
 * simulated time and a queue of generated events waiting for their delivery time.
 *
 * <p>Actions run in order of (time, lane, scheduling order); an action emits events whose event time
 * is its own time and schedules later actions. Each emitted event gets the next generation sequence
 * number and a delivery time at or after its event time. The iterator hands out events in order of
 * (delivery time, sequence number), and it may hand one out as soon as its delivery time is at or
 * before the next action's time: every event generated later has a later delivery time, or the same
 * one and a larger sequence number. So the engine is lazy, and it works with no end at all.
 */
final class Simulation implements Iterator<GeneratedEvent> {

    /** Product catalogue actions run before user actions scheduled for the same millisecond. */
    static final int CATALOGUE_LANE = 0;
    static final int USER_LANE = 1;

    /** Late events arrive between {@code lateBy} and {@code lateBy} plus this (10 minutes). */
    static final long LATE_SPREAD_MILLIS = 10 * 60_000L;

    private record Action(long time, int lane, long seq, LongConsumer body) {
    }

    private record Pending(GeneratedEvent event, long deliveryMillis, long seq) {
    }

    private final PriorityQueue<Action> actions = new PriorityQueue<>(
            Comparator.comparingLong(Action::time).thenComparingInt(Action::lane).thenComparingLong(Action::seq));
    private final PriorityQueue<Pending> deliveries = new PriorityQueue<>(
            Comparator.comparingLong(Pending::deliveryMillis).thenComparingLong(Pending::seq));
    private final GeneratorConfig config;
    private final long endMillis;
    private long actionSeq;
    private long eventSeq;

    /** @param endMillis actions at or after this instant (epoch millis) are not run; {@code Long.MAX_VALUE} for none */
    Simulation(GeneratorConfig config, long endMillis) {
        this.config = config;
        this.endMillis = endMillis;
    }

    /**
     * Runs {@code body} with {@code time} (epoch millis) as its argument when the simulation reaches
     * {@code time}, unless that is at or after the end.
     */
    void schedule(long time, int lane, LongConsumer body) {
        if (time < endMillis) {
            actions.add(new Action(time, lane, actionSeq++, body));
        }
    }

    /** Emits an event delivered at its event time. */
    void emitInOrder(String topic, String key, Object value, long eventMillis) {
        add(topic, key, value, eventMillis, eventMillis, Delivery.IN_ORDER);
    }

    /**
     * Emits an event and draws its delivery from {@code rng}: one uniform draw {@code u}; LATE when
     * {@code lateEligible} and {@code u < lateFraction}, OUT_OF_ORDER when {@code u >= 1 -
     * outOfOrderFraction} (a second draw picks the delay), IN_ORDER otherwise.
     */
    GeneratedEvent emit(String topic, String key, Object value, long eventMillis, SeededRandom rng,
                        boolean lateEligible) {
        double u = rng.nextDouble();
        if (lateEligible && u < config.lateFraction()) {
            long delay = config.lateBy().toMillis() + rng.between(0, LATE_SPREAD_MILLIS);
            return add(topic, key, value, eventMillis, eventMillis + delay, Delivery.LATE);
        }
        if (u >= 1.0 - config.outOfOrderFraction()) {
            long delay = rng.between(1, config.maxOutOfOrder().toMillis() + 1);
            return add(topic, key, value, eventMillis, eventMillis + delay, Delivery.OUT_OF_ORDER);
        }
        return add(topic, key, value, eventMillis, eventMillis, Delivery.IN_ORDER);
    }

    /**
     * Emits {@code sent} a second time, identical, delivered 1 ms to {@code maxDuplicateDelay} after
     * its first delivery, with probability {@code duplicateFraction}; both draws come from
     * {@code retries}, a stream of its own, so that duplicates leave every other event unchanged.
     */
    void maybeRedeliver(GeneratedEvent sent, SeededRandom retries) {
        if (retries.chance(config.duplicateFraction())) {
            long delay = retries.between(1, config.maxDuplicateDelay().toMillis() + 1);
            add(sent.topic(), sent.key(), sent.value(), sent.eventTime().toEpochMilli(),
                    sent.deliveryTime().toEpochMilli() + delay, Delivery.REDELIVERED);
        }
    }

    /** Emits a tombstone for {@code deleted}'s key, delivered right after it. */
    void emitTombstone(GeneratedEvent deleted) {
        add(deleted.topic(), deleted.key(), null, deleted.eventTime().toEpochMilli(),
                deleted.deliveryTime().toEpochMilli(), deleted.delivery());
    }

    private GeneratedEvent add(String topic, String key, Object value, long eventMillis, long deliveryMillis,
                               Delivery delivery) {
        GeneratedEvent event = new GeneratedEvent(topic, key, value, Instant.ofEpochMilli(eventMillis),
                Instant.ofEpochMilli(deliveryMillis), delivery);
        deliveries.add(new Pending(event, deliveryMillis, eventSeq++));
        return event;
    }

    @Override
    public boolean hasNext() {
        advance();
        return !deliveries.isEmpty();
    }

    @Override
    public GeneratedEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the simulated period is over");
        }
        return deliveries.poll().event();
    }

    private void advance() {
        while (!actions.isEmpty()
                && (deliveries.isEmpty() || deliveries.peek().deliveryMillis() > actions.peek().time())) {
            Action action = actions.poll();
            action.body().accept(action.time());
        }
    }
}
