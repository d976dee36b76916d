package dev.streamtemplate.attribution;

import dev.streamtemplate.runtime.query.QueryableStore;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The state store of purchase-attribution that HTTP queries read, as a typed handle: the name the topology
 * materializes it under and the configured window size. Keys are landing pages, partitioned by their serialized form
 * after the by-page repartition.
 *
 * @param revenue attributed revenue per landing page, tumbling windows of {@link AttributionSettings#revenueWindow()}
 */
public record AttributionStores(QueryableStore.Window<String, Revenue> revenue) {

    /** The handle for {@code settings}' window size. */
    public static AttributionStores of(AttributionSettings settings) {
        return new AttributionStores(QueryableStore.window(AttributionTopology.REVENUE_STORE, new StringSerializer(),
                settings.revenueWindow()));
    }
}
