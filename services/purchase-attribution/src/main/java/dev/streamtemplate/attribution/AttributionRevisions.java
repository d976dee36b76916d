package dev.streamtemplate.attribution;

import dev.streamtemplate.runtime.lateness.LateDataHandling;
import dev.streamtemplate.runtime.lateness.LatePolicy;
import dev.streamtemplate.runtime.lateness.Revision;
import dev.streamtemplate.runtime.lateness.WindowRevisions;
import dev.streamtemplate.schemas.JsonSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The revisions of each purchase's attribution, from the revisions of the per-purchase windows: input key
 * {@code Windowed<user|product>} with the window's {@link LastTouches}, output key the purchase's event id with an
 * {@link AttributionChange}. Under {@code update} a window's revision re-emits every purchase in it; this step emits a
 * purchase only when its attribution changed (another view, or a first one), numbers the purchase's revisions from 0,
 * and hands on the attribution it replaces so that the revenue windows can subtract it. It keeps the last attribution
 * per purchase in {@code purchase-attribution-revisions-by-purchase-store} (logged), keyed by purchase time first, and
 * deletes it when stream time passes the purchase time + 1 ms + the allowed lateness, when the window can no longer
 * change (the router in front of the windows diverts anything later). Under the other policies every window has one
 * result and every purchase revision 0, without a store.
 */
public final class AttributionRevisions implements Processor<Windowed<String>, Revision<LastTouches>, String, AttributionChange> {

    /** The store of the last attribution per purchase, under {@code update}. */
    public static final String STORE = AttributionTopology.ATTRIBUTION + "-revisions-by-purchase-store";

    private static final Serde<AttributedPurchase> ATTRIBUTED = JsonSerde.of(AttributedPurchase.class);

    private final long keptAfterPurchaseMs;
    private ProcessorContext<String, AttributionChange> context;
    private KeyValueStore<Bytes, byte[]> store;
    /** Purchases up to this time have been deleted since start-up. */
    private long expiredThrough = Long.MIN_VALUE;

    private AttributionRevisions(long keptAfterPurchaseMs) {
        this.keptAfterPurchaseMs = keptAfterPurchaseMs;
    }

    /**
     * Each purchase's attribution changes, from the per-purchase windows' results.
     *
     * @param late    the late-data handling of {@code purchase-attribution}
     * @param builder where the store is added under {@code update}
     * @param windows the results of the per-purchase windows ({@link LateDataHandling#timeWindowResults})
     * @return key purchase event id, value the change
     */
    static KStream<String, AttributionChange> of(LateDataHandling late, StreamsBuilder builder,
                                                 KStream<Windowed<String>, Revision<LastTouches>> windows) {
        if (late.policy() != LatePolicy.UPDATE) {
            return windows.flatMap((window, result) -> {
                List<KeyValue<String, AttributionChange>> changes = new ArrayList<>();
                for (Touch touch : result.value().winners()) {
                    changes.add(KeyValue.pair(touch.purchase().eventId(),
                            new AttributionChange(null, AttributedPurchase.of(touch.purchase(), touch.view()))));
                }
                return changes;
            }, Named.as(late.aggregation() + "-per-purchase"));
        }
        builder.addStateStore(WindowRevisions.storeBuilder(STORE)); // persistent, logged, uncached bytes
        long kept = 1 + late.allowedLateness().toMillis();
        return windows.process(() -> new AttributionRevisions(kept), Named.as(late.aggregation() + "-per-purchase"), STORE);
    }

    @Override
    public void init(ProcessorContext<String, AttributionChange> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        expiredThrough = Long.MIN_VALUE;
    }

    @Override
    public void process(Record<Windowed<String>, Revision<LastTouches>> record) {
        for (Touch touch : record.value().value().winners()) {
            AttributedPurchase current = AttributedPurchase.of(touch.purchase(), touch.view());
            Bytes key = storeKey(current);
            byte[] stored = store.get(key);
            AttributedPurchase previous = stored == null ? null : ATTRIBUTED.deserializer().deserialize(STORE, stored);
            if (current.sameAttribution(previous)) {
                continue;
            }
            AttributedPurchase revision = current.withRevision(previous == null ? 0 : previous.revision() + 1);
            store.put(key, ATTRIBUTED.serializer().serialize(STORE, revision));
            context.forward(record.withKey(current.purchase().eventId()).withValue(new AttributionChange(previous, revision)));
        }
        expire(context.currentStreamTimeMs());
    }

    /** Deletes the purchases whose window can no longer change. */
    private void expire(long streamTime) {
        long expiredNow = streamTime - keptAfterPurchaseMs;
        if (expiredNow <= expiredThrough) {
            return;
        }
        List<Bytes> expired = new ArrayList<>();
        Bytes from = timeBound(expiredThrough == Long.MIN_VALUE ? Long.MIN_VALUE : expiredThrough + 1);
        try (KeyValueIterator<Bytes, byte[]> old = store.range(from, timeBound(expiredNow + 1))) {
            while (old.hasNext()) {
                expired.add(old.next().key);
            }
        }
        expired.forEach(store::delete);
        expiredThrough = expiredNow;
    }

    /** Purchase time (order-preserving: sign bit flipped), then the event id. */
    private static Bytes storeKey(AttributedPurchase attribution) {
        byte[] id = attribution.purchase().eventId().getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(8 + id.length)
                .putLong(attribution.purchase().timestamp().toEpochMilli() ^ Long.MIN_VALUE).put(id).array());
    }

    /** The smallest key of purchases at {@code time}. */
    private static Bytes timeBound(long time) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(time ^ Long.MIN_VALUE).array());
    }
}
