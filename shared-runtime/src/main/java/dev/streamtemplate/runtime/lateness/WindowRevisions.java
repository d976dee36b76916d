package dev.streamtemplate.runtime.lateness;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Final results with corrections, behind a windowed aggregation that emits on every update
 * ({@code EmitStrategy.onWindowUpdate()}, grace = the allowed lateness, record cache off). Input: its {@code toStream()},
 * key {@code Windowed<K>}, value the aggregate or {@code null} for a session merged away. Output: the same key with a
 * {@link Revision}, or {@code null} to retract a session already emitted.
 * <ul>
 *   <li>a window's latest value is held until stream time reaches its nominal close (end + grace, per window kind:
 *       see the factories), then emitted as revision 0; a window first seen after that is emitted at once as 0;</li>
 *   <li>every later update is emitted at once as the next revision;</li>
 *   <li>an emitted session merged away is retracted, unless the merged session has the same start (the same output
 *       key), which then continues its revisions;</li>
 *   <li>a window's entry is deleted when the aggregation can no longer update it: at the end of the allowed lateness
 *       (time windows), of the store's retention (sessions).</li>
 * </ul>
 * Stream time is the task's ({@link ProcessorContext#currentStreamTimeMs()}), which is restored after a restart while
 * the aggregation's own starts afresh: a {@link LateEventRouter} with the allowed lateness must stand before the
 * aggregation, so that nothing the aggregation would still accept has expired here. The store ({@link #storeBuilder}) is
 * keyed by window end first, so due and expired windows are range scans, and logged, so revisions continue after a
 * restart. Kafka Streams' emit strategies give one result per window ({@code onWindowClose}) or every change without
 * marking the final one ({@code onWindowUpdate}, KIP-825); this step gives both.
 *
 * @param <K> the aggregation's key
 * @param <V> the aggregate
 */
public final class WindowRevisions<K, V> implements Processor<Windowed<K>, V, Windowed<K>, Revision<V>> {

    private static final int PENDING = 1;
    private static final int EMITTED = 0;

    private final String storeName;
    private final long dueAfterEndMs;
    private final long keptAfterEndMs;
    private final boolean sessions;
    private final Serializer<K> keySerializer;
    private final Deserializer<K> keyDeserializer;
    private final Serializer<V> valueSerializer;
    private final Deserializer<V> valueDeserializer;
    private ProcessorContext<Windowed<K>, Revision<V>> context;
    private KeyValueStore<Bytes, byte[]> store;
    /** Windows ending up to this have been scanned for emission since start-up (the first scan reads them all). */
    private long scannedThrough = Long.MIN_VALUE;
    /** Windows ending up to this have been deleted since start-up. */
    private long expiredThrough = Long.MIN_VALUE;
    /** Sessions removed by the record being processed, retracted unless the merged session has the same start. */
    private final List<Retracted> retracted = new ArrayList<>();

    private record Retracted(Windowed<?> window, int nextRevision) {
    }

    private WindowRevisions(String storeName, long dueAfterEndMs, long keptAfterEndMs, boolean sessions,
                            Serde<K> keySerde, Serde<V> valueSerde) {
        if (dueAfterEndMs < 0) {
            throw new IllegalArgumentException("a negative grace: revision 0 due " + dueAfterEndMs + " ms after a window's end");
        }
        if (keptAfterEndMs < dueAfterEndMs) {
            throw new IllegalArgumentException("the allowed lateness ends (" + keptAfterEndMs
                    + " ms after a window's end) before its first result is due (" + dueAfterEndMs + " ms)");
        }
        this.storeName = storeName;
        this.dueAfterEndMs = dueAfterEndMs;
        this.keptAfterEndMs = keptAfterEndMs;
        this.sessions = sessions;
        this.keySerializer = keySerde.serializer();
        this.keyDeserializer = keySerde.deserializer();
        this.valueSerializer = valueSerde.serializer();
        this.valueDeserializer = valueSerde.deserializer();
    }

    /**
     * For tumbling and hopping windows ({@code [start, end)}): revision 0 is due at {@code end + grace}, as Kafka
     * Streams closes such a window; corrections until {@code end + allowedLateness}.
     *
     * @param storeName        the store made by {@link #storeBuilder}
     * @param graceMs          the nominal grace period, milliseconds
     * @param allowedLatenessMs the aggregation's grace under this policy, milliseconds, at least {@code graceMs}
     * @throws IllegalArgumentException when the allowed lateness is shorter than the grace
     */
    public static <K, V> WindowRevisions<K, V> timeWindows(String storeName, long graceMs, long allowedLatenessMs,
                                                           Serde<K> keySerde, Serde<V> valueSerde) {
        return new WindowRevisions<>(storeName, graceMs, allowedLatenessMs, false, keySerde, valueSerde);
    }

    /**
     * For sliding windows ({@code [start, end]}, end inclusive): due when stream time passes {@code end + grace}.
     *
     * @see #timeWindows
     */
    public static <K, V> WindowRevisions<K, V> slidingWindows(String storeName, long graceMs, long allowedLatenessMs,
                                                              Serde<K> keySerde, Serde<V> valueSerde) {
        return new WindowRevisions<>(storeName, graceMs + 1, allowedLatenessMs + 1, false, keySerde, valueSerde);
    }

    /**
     * For session windows: due when stream time passes {@code end + gap + grace} (Kafka Streams' session close rule);
     * removed sessions are retracted. A session's entry is kept as long as Kafka Streams keeps the session: a late
     * record can merge a session that closed long ago with a later, long one, as long as the merged session ends
     * within the allowed lateness.
     *
     * @param gapMs       the inactivity gap, milliseconds
     * @param retentionMs the session store's retention, milliseconds: how long after its end a session can be merged
     * @see #timeWindows
     */
    public static <K, V> WindowRevisions<K, V> sessionWindows(String storeName, long gapMs, long graceMs,
                                                              long retentionMs, Serde<K> keySerde,
                                                              Serde<V> valueSerde) {
        return new WindowRevisions<>(storeName, gapMs + graceMs + 1, retentionMs, true, keySerde, valueSerde);
    }

    /**
     * The store this processor keeps its windows in: persistent, logged, uncached.
     *
     * @param storeName its name; the changelog is {@code <application.id>-<storeName>-changelog}
     */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> storeBuilder(String storeName) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(storeName), Serdes.Bytes(), Serdes.ByteArray())
                .withCachingDisabled();
    }

    @Override
    public void init(ProcessorContext<Windowed<K>, Revision<V>> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        // a revived task (after a TaskCorruptedException) reuses this instance with its store rolled back: rescan it
        scannedThrough = Long.MIN_VALUE;
        expiredThrough = Long.MIN_VALUE;
        retracted.clear();
    }

    @Override
    public void process(Record<Windowed<K>, V> record) {
        Windowed<K> window = record.key();
        Bytes key = storeKey(window);
        byte[] existing = store.get(key);
        if (record.value() == null) {
            if (existing != null) {
                store.delete(key);
                int next = nextRevision(existing);
                if (next > 0) {
                    retracted.add(new Retracted(window, next));
                }
            }
            return;
        }
        int carried = settleRetractions(window);
        int next = existing != null ? Math.max(nextRevision(existing), carried) : carried;
        long streamTime = context.currentStreamTimeMs();
        if (next == 0 && window.window().end() + dueAfterEndMs > streamTime) {
            store.put(key, entry(next, PENDING, record.timestamp(), valueSerializer.serialize(storeName, record.value())));
        } else {
            // due, or a session continuing one already emitted under the same start: at once
            context.forward(record.withValue(new Revision<>(record.value(), next)));
            store.put(key, entry(next + 1, EMITTED, record.timestamp(), null));
        }
        emitDue(streamTime);
        expire(streamTime);
    }

    @Override
    public void close() {
        retracted.clear();
    }

    /**
     * Retracts the sessions removed in this step, except one with the same start as {@code window}, whose next
     * revision {@code window} continues with (0 when there is none).
     */
    private int settleRetractions(Windowed<K> window) {
        int carried = 0;
        for (Retracted removed : retracted) {
            if (sessions && removed.window().window().start() == window.window().start()) {
                carried = Math.max(carried, removed.nextRevision());
            } else {
                @SuppressWarnings("unchecked")
                Windowed<K> retraction = (Windowed<K>) removed.window();
                context.forward(new Record<>(retraction, null, retraction.window().end()));
            }
        }
        retracted.clear();
        return carried;
    }

    /** Emits revision 0 of every held window whose first result has fallen due. */
    private void emitDue(long streamTime) {
        long dueThrough = streamTime - dueAfterEndMs;
        if (dueThrough <= scannedThrough) {
            return;
        }
        long from = scannedThrough == Long.MIN_VALUE ? Long.MIN_VALUE : scannedThrough + 1;
        try (KeyValueIterator<Bytes, byte[]> due = store.range(endBound(from), endBound(dueThrough + 1))) {
            while (due.hasNext()) {
                var entry = due.next();
                ByteBuffer value = ByteBuffer.wrap(entry.value);
                int next = value.getInt();
                if (value.get() != PENDING) {
                    continue;
                }
                long timestamp = value.getLong();
                byte[] aggregate = new byte[value.remaining()];
                value.get(aggregate);
                context.forward(new Record<>(windowOf(entry.key),
                        new Revision<>(valueDeserializer.deserialize(storeName, aggregate), next), timestamp));
                store.put(entry.key, entry(next + 1, EMITTED, timestamp, null));
            }
        }
        scannedThrough = dueThrough;
    }

    /** Deletes the windows whose allowed lateness has ended. */
    private void expire(long streamTime) {
        long expiredNow = streamTime - keptAfterEndMs;
        if (expiredNow <= expiredThrough) {
            return;
        }
        List<Bytes> expired = new ArrayList<>();
        long from = expiredThrough == Long.MIN_VALUE ? Long.MIN_VALUE : expiredThrough + 1;
        try (KeyValueIterator<Bytes, byte[]> old = store.range(endBound(from), endBound(expiredNow + 1))) {
            while (old.hasNext()) {
                expired.add(old.next().key);
            }
        }
        expired.forEach(store::delete);
        expiredThrough = expiredNow;
    }

    private static int nextRevision(byte[] entry) {
        return ByteBuffer.wrap(entry).getInt();
    }

    /** The next revision, the state, the timestamp of the window's latest update, the held aggregate if pending. */
    private static byte[] entry(int nextRevision, int state, long timestamp, byte[] aggregate) {
        ByteBuffer buffer = ByteBuffer.allocate(13 + (aggregate == null ? 0 : aggregate.length));
        buffer.putInt(nextRevision).put((byte) state).putLong(timestamp);
        if (aggregate != null) {
            buffer.put(aggregate);
        }
        return buffer.array();
    }

    /** End (order-preserving: sign bit flipped), start, then the serialized key. */
    private Bytes storeKey(Windowed<K> window) {
        byte[] key = keySerializer.serialize(storeName, window.key());
        return Bytes.wrap(ByteBuffer.allocate(16 + key.length)
                .putLong(window.window().end() ^ Long.MIN_VALUE)
                .putLong(window.window().start() ^ Long.MIN_VALUE)
                .put(key).array());
    }

    /** The smallest key of windows ending at {@code end}: every key of an earlier end sorts before it. */
    private static Bytes endBound(long end) {
        return Bytes.wrap(ByteBuffer.allocate(8).putLong(end ^ Long.MIN_VALUE).array());
    }

    private Windowed<K> windowOf(Bytes storeKey) {
        ByteBuffer buffer = ByteBuffer.wrap(storeKey.get());
        long end = buffer.getLong() ^ Long.MIN_VALUE;
        long start = buffer.getLong() ^ Long.MIN_VALUE;
        byte[] key = new byte[buffer.remaining()];
        buffer.get(key);
        return new Windowed<>(keyDeserializer.deserialize(storeName, key), new StoredWindow(start, end));
    }

    /**
     * A window read back from the store: its start and end are all that the next steps use. It is not equal to the
     * {@code TimeWindow} or {@code SessionWindow} Kafka Streams forwards (internal classes), so compare windows by
     * start and end.
     */
    private static final class StoredWindow extends Window {
        StoredWindow(long start, long end) {
            super(start, end);
        }

        @Override
        public boolean overlap(Window other) {
            return start() <= other.end() && other.start() <= end();
        }
    }
}
