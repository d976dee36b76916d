package dev.streamtemplate.runtime.query;

/**
 * Which local copy of a store partition may answer a query.
 *
 * <p>Kafka Streams keeps a partition's store on the instance running its active task and, with
 * {@code num.standby.replicas} above 0, on instances running standby tasks that follow its changelog
 * (KIP-535). IQv2 answers from either unless the request {@code requireActive()}.
 */
public enum Replica {
    /** Only the active task's store: up to date with the input processed so far. */
    ACTIVE,
    /** The active task's store or a standby's, which may lag behind the changelog by some offsets. */
    ACTIVE_OR_STANDBY
}
