package dev.streamtemplate.runtime.query;

/**
 * This instance's copy of the store partition that holds a key, as {@link KeyRouter} hands it to a local read:
 * which partition (found once, by {@link KeyRouter}, from Kafka Streams' metadata for the key) and which copy of it may
 * answer ({@link Replica}).
 *
 * @param partition the store partition (that of the store's input topic) holding the key
 * @param replica   the copy that may answer: only the active task's, or the active's or a standby's
 */
public record PartitionCopy(int partition, Replica replica) {
}
