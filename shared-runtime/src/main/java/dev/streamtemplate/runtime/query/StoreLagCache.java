package dev.streamtemplate.runtime.query;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.errors.StreamsException;

/**
 * The offset lag of this instance's copies of store partitions (KIP-535 {@link KafkaStreams#allLocalStorePartitionLags}),
 * kept for {@link #REFRESH_INTERVAL} and shared by the queries in that time.
 *
 * <p>Each fetch asks the broker for every changelog's end offset (a round trip, bounded only by the admin client's
 * {@code default.api.timeout.ms}). One query at a time refreshes the lags; the others meanwhile use the previous
 * answer, or, before the first answer, wait for it. So {@link #offsetLag} blocks: call it on a worker thread.
 */
@ApplicationScoped
public class StoreLagCache {

    /** How long fetched lags are reused. */
    static final Duration REFRESH_INTERVAL = Duration.ofMillis(500);

    @Inject
    KafkaStreams streams;

    private volatile Fetched fetched;
    private final ReentrantLock refresh = new ReentrantLock();

    /**
     * How many changelog records this instance's copy of a store partition is behind, as of the last refresh.
     *
     * @param store     store name
     * @param partition store partition
     * @return the lag in records (0 for an up-to-date active task), empty when this instance has no copy of it
     */
    public Optional<Long> offsetLag(String store, int partition) {
        Map<Integer, LagInfo> byPartition = lags().get(store);
        LagInfo lag = byPartition == null ? null : byPartition.get(partition);
        return lag == null ? Optional.empty() : Optional.of(lag.offsetLag());
    }

    private Map<String, Map<Integer, LagInfo>> lags() {
        Fetched current = fetched;
        if (isFresh(current)) {
            return current.lags();
        }
        if (current == null) {
            refresh.lock(); // none yet: wait for the first fetch
        } else if (!refresh.tryLock()) {
            return current.lags(); // another query is refreshing them: the previous lags meanwhile
        }
        try {
            current = fetched;
            if (isFresh(current)) {
                return current.lags();
            }
            Map<String, Map<Integer, LagInfo>> lags;
            try {
                lags = streams.allLocalStorePartitionLags();
            } catch (StreamsException | IllegalStateException e) {
                lags = Map.of();
            }
            fetched = new Fetched(lags, System.nanoTime());
            return lags;
        } finally {
            refresh.unlock();
        }
    }

    private static boolean isFresh(Fetched lags) {
        return lags != null && System.nanoTime() - lags.at() <= REFRESH_INTERVAL.toNanos();
    }

    /** The lags of one fetch and when it was made ({@link System#nanoTime}). */
    private record Fetched(Map<String, Map<Integer, LagInfo>> lags, long at) {
    }
}
