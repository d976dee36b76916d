package dev.streamtemplate.runtime.state;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store in the JVM, whatever the number of stores, segments
 * and partitions: all of them share one LRU block cache of {@value #CACHE_BYTES} bytes, and their memtables
 * are charged to that cache by one write buffer manager limited to {@value #WRITE_BUFFER_BYTES} bytes. Index
 * and filter blocks live in the cache too (high priority), so the cache size is the bound.
 *
 * <p>Configured through Kafka Streams' configuration ({@code kafka-streams.} keys in Quarkus), in bytes;
 * the defaults are in shared-runtime's {@code META-INF/microprofile-config.properties}:
 * {@code rocksdb.config.setter} names this class, {@value #CACHE_BYTES} (block cache including memtables,
 * env {@code KAFKA_STREAMS_ROCKSDB_BOUNDED_CACHE_BYTES}) and {@value #WRITE_BUFFER_BYTES} (memtables, at most
 * the cache size, env {@code KAFKA_STREAMS_ROCKSDB_BOUNDED_WRITE_BUFFER_BYTES}). The first store opened sizes
 * the shared objects; they live as long as the JVM. A container's memory limit must hold heap + this cache +
 * the JVM's own native memory.
 *
 * <p>This is the recipe of the Kafka Streams documentation, "Memory management: RocksDB"
 * (docs/streams/developer-guide/memory-mgmt.html, {@code BoundedMemoryRocksDBConfig}).
 */
public class BoundedRocksDBMemory implements RocksDBConfigSetter {

    /** Kafka Streams configuration key: bytes of the shared block cache, memtables included. */
    public static final String CACHE_BYTES = "rocksdb.bounded.cache.bytes";
    /** Kafka Streams configuration key: bytes of all memtables together, charged to the cache. */
    public static final String WRITE_BUFFER_BYTES = "rocksdb.bounded.write.buffer.bytes";

    /** Share of the cache kept for index and filter blocks (high-priority pool), as in the documentation. */
    private static final double INDEX_FILTER_SHARE = 0.1;

    private static Shared shared;

    /** The cache and write buffer manager every store of this JVM uses. */
    private record Shared(Cache cache, WriteBufferManager writeBuffers) {
    }

    /**
     * Points the store at the shared cache and write buffer manager.
     *
     * @throws ConfigException when a size is missing, not a whole number of bytes, not positive, or the write
     *                         buffer is larger than the cache
     */
    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Shared memory = shared(bytes(configs, CACHE_BYTES), bytes(configs, WRITE_BUFFER_BYTES));
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(memory.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(memory.writeBuffers());
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store of the JVM: never closed here.
    }

    /** The shared objects, created by the first store with the sizes it was given. */
    private static synchronized Shared shared(long cacheBytes, long writeBufferBytes) {
        if (writeBufferBytes > cacheBytes) {
            throw new ConfigException(WRITE_BUFFER_BYTES, writeBufferBytes,
                    "the memtables are charged to the block cache, so they cannot exceed " + CACHE_BYTES + " ("
                            + cacheBytes + ")");
        }
        if (shared == null) {
            Cache cache = new LRUCache(cacheBytes, -1, false, INDEX_FILTER_SHARE);
            shared = new Shared(cache, new WriteBufferManager(writeBufferBytes, cache));
        }
        return shared;
    }

    private static long bytes(Map<String, Object> configs, String key) {
        Object value = configs.get(key);
        if (value == null) {
            throw new ConfigException(key + " is not set: " + BoundedRocksDBMemory.class.getSimpleName()
                    + " needs the bytes of the shared RocksDB cache (" + CACHE_BYTES + ") and of its memtables ("
                    + WRITE_BUFFER_BYTES + ")");
        }
        long bytes;
        try {
            bytes = Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "a whole number of bytes");
        }
        if (bytes <= 0) {
            throw new ConfigException(key, value, "must be positive");
        }
        return bytes;
    }
}
