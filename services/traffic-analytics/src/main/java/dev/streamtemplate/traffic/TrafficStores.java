package dev.streamtemplate.traffic;

import dev.streamtemplate.runtime.query.QueryableStore;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The state stores of traffic-analytics that HTTP queries read, as typed handles: the names the topology
 * materializes them under and the configured window sizes. Keys are strings partitioned by their serialized form
 * (pages after the {@code page-views-by-page} repartition, user ids as produced); values are counts.
 *
 * @param tumbling       page views per page, tumbling windows of {@link TrafficSettings#tumblingSize()}
 * @param hopping        page views per page, hopping windows of {@link TrafficSettings#hoppingSize()}
 * @param purchaseBursts purchases per user, sliding windows of {@link TrafficSettings#slidingSpan()}
 * @param sessions       page views per user and browsing session
 */
public record TrafficStores(QueryableStore.Window<String, Long> tumbling, QueryableStore.Window<String, Long> hopping,
                            QueryableStore.Window<String, Long> purchaseBursts,
                            QueryableStore.Session<String, Long> sessions) {

    /** The handles for {@code settings}' window sizes. */
    public static TrafficStores of(TrafficSettings settings) {
        StringSerializer keys = new StringSerializer();
        return new TrafficStores(
                QueryableStore.window(TrafficTopology.TUMBLING_STORE, keys, settings.tumblingSize()),
                QueryableStore.window(TrafficTopology.HOPPING_STORE, keys, settings.hoppingSize()),
                QueryableStore.window(TrafficTopology.SLIDING_STORE, keys, settings.slidingSpan()),
                QueryableStore.session(TrafficTopology.SESSIONS_STORE, keys));
    }
}
