package dev.streamtemplate.runtime.query;

import java.util.List;

/**
 * The answer to a query that spans keys, merged from every instance hosting the store
 * ({@link QueryRouter#windowsAcrossInstances}). A partial answer says so: {@code complete} is false and the
 * partitions nobody answered for are listed; the HTTP response also carries
 * {@code X-Query-Partial: true}.
 *
 * @param complete          whether every partition of the store answered
 * @param partitions        how many partitions the store has
 * @param missingPartitions partitions without an answer (their active task is moving, restoring, or on
 *                          an instance that did not answer), ascending
 * @param answeredBy        instances (host:port) whose answers were merged
 * @param unreachable       instances that did not answer, each with the reason
 * @param results           the merged entries
 * @param <R>               entry type
 */
public record AcrossInstancesAnswer<R>(boolean complete, int partitions, List<Integer> missingPartitions,
                                       List<String> answeredBy, List<String> unreachable, List<R> results) {
}
