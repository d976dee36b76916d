package dev.streamtemplate.generator;

/** How a {@link GeneratedEvent} is delivered relative to its event time. */
public enum Delivery {
    /** Delivered at its event time: {@code deliveryTime == eventTime}. */
    IN_ORDER,
    /**
     * Delivered 1 ms to {@link GeneratorConfig#maxOutOfOrder()} after its event time, so events that
     * happened later may arrive before it. Within every service's grace period.
     */
    OUT_OF_ORDER,
    /**
     * Delivered {@link GeneratorConfig#lateBy()} to {@code lateBy} + 10 minutes after its event time:
     * later than any grace period the services use. Only page views and purchases are delivered late.
     */
    LATE,
    /**
     * A second delivery of a cart command, identical to the first (event id included), 1 ms to
     * {@link GeneratorConfig#maxDuplicateDelay()} after the first one: what a producer retry after a
     * lost acknowledgement upstream of the broker looks like. The first delivery keeps its own kind.
     */
    REDELIVERED
}
