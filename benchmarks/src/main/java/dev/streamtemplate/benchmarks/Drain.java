package dev.streamtemplate.benchmarks;

import dev.streamtemplate.harness.ChildProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How fast one consumer group drained a backlog that was complete before it started, measured from its committed
 * offsets on the input topics: from the first commit seen, which ends start-up, restoration and the first
 * transaction, to the commit that reaches the end offsets of every input partition and leaves at most one offset per
 * partition (a transaction marker) of the group's repartition topics ({@code <group>-...-repartition}) unread. Only
 * input records are counted. With the process's CPU time and peak RSS over the same span.
 *
 * @param records         input records committed between the first commit seen and the last
 * @param elapsed         the time between the two
 * @param cpuCores        CPU time the process used in that time, divided by it (1.0: one core busy)
 * @param brokerCpuCores  the same for the broker
 * @param peakRssBytes    the process's largest resident set since it started, in bytes ({@code VmHWM})
 */
public record Drain(long records, Duration elapsed, double cpuCores, double brokerCpuCores, long peakRssBytes) {

    private static final Duration POLL = Duration.ofMillis(50);

    /** Input records per second. */
    public double rate() {
        return records * 1000.0 / Math.max(1, elapsed.toMillis());
    }

    /**
     * Watches group {@code groupId} until it has committed the end offset of every partition of {@code inputs}.
     *
     * @param process the process that drains (a service instance or a baseline job)
     * @param broker  the broker's process
     * @param timeout how long the whole drain may take, start-up included
     * @throws IllegalStateException when the process exits, the group has not drained by the timeout, or the first
     *                               commit seen already covers everything (too few records to measure)
     */
    public static Drain measure(Admin admin, String groupId, Collection<String> inputs, ChildProcess process,
                                ChildProcess broker, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException, IOException {
        return measure(admin, groupId, inputs, process, broker, timeout, () -> false);
    }

    /**
     * The same, for a job that may stop committing before it commits the end offsets (a bounded Flink job commits
     * its source's offsets when a checkpoint completes, and its last checkpoints may be declined as its tasks finish):
     * the drain also ends when {@code finished} says the job has processed all its input and committed its output,
     * and then counts every input record after the first commit seen.
     *
     * @param finished whether the job has finished; polled every 50 ms
     */
    public static Drain measure(Admin admin, String groupId, Collection<String> inputs, ChildProcess process,
                                ChildProcess broker, Duration timeout, BooleanSupplier finished)
            throws InterruptedException, ExecutionException, TimeoutException, IOException {
        Map<TopicPartition, Long> ends = endOffsets(admin, inputs);
        long total = ends.values().stream().mapToLong(Long::longValue).sum();
        long deadline = System.nanoTime() + timeout.toNanos();
        long firstAt = 0;
        long firstCommitted = -1;
        ProcessUsage firstUsage = null;
        ProcessUsage firstBroker = null;
        while (true) {
            requireAlive(process);
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            long committed = ends.keySet().stream().map(offsets::get).filter(o -> o != null)
                    .mapToLong(OffsetAndMetadata::offset).sum();
            long now = System.nanoTime();
            if (firstCommitted < 0 && committed > 0) {
                firstAt = now;
                firstCommitted = committed;
                firstUsage = usage(process);
                firstBroker = usage(broker);
                if (committed >= total) {
                    throw new IllegalStateException(groupId + " committed all " + total + " records at its first commit;"
                            + " too few to measure a rate: raise benchmark.events");
                }
            }
            boolean done = finished.getAsBoolean();
            if (done && firstCommitted < 0) {
                throw new IllegalStateException(groupId + " finished before its first commit was seen; too few records"
                        + " to measure a rate: raise benchmark.events");
            }
            if (firstCommitted >= 0 && (done || committed >= total && repartitionDrained(admin, groupId, offsets))) {
                committed = done ? total : committed;
                now = System.nanoTime();
                ProcessUsage usage = usage(process);
                ProcessUsage brokerUsage = usage(broker);
                Duration elapsed = Duration.ofNanos(now - firstAt);
                double seconds = Math.max(1, elapsed.toMillis()) / 1000.0;
                return new Drain(committed - firstCommitted, elapsed,
                        (usage.cpuMillis() - firstUsage.cpuMillis()) / 1000.0 / seconds,
                        (brokerUsage.cpuMillis() - firstBroker.cpuMillis()) / 1000.0 / seconds, usage.peakRssBytes());
            }
            if (now > deadline) {
                throw new IllegalStateException(groupId + " committed " + committed + " of " + total + " input records"
                        + " within " + timeout.toSeconds() + " s; log: " + process.logFile());
            }
            process.awaitExit(POLL); // a pause that ends early if the process dies
        }
    }

    /** The end offset of every partition of {@code topics}. */
    static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS)
                .values().stream()
                .flatMap(topic -> topic.partitions().stream().map(p -> new TopicPartition(topic.name(), p.partition())))
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** Whether the group has read its repartition topics up to their end, transaction markers aside. */
    private static boolean repartitionDrained(Admin admin, String groupId, Map<TopicPartition, OffsetAndMetadata> offsets)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = offsets.keySet().stream()
                .filter(tp -> tp.topic().startsWith(groupId + "-") && tp.topic().endsWith("-repartition"))
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        if (request.isEmpty()) {
            return true;
        }
        return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                .allMatch(e -> e.getValue().offset() - offsets.get(e.getKey()).offset() <= 1);
    }

    private static void requireAlive(ChildProcess process) {
        if (!process.isAlive()) {
            throw new IllegalStateException(process.name() + " exited with code " + process.exitCode().orElse(-1)
                    + " while draining; its log: " + process.logFile() + "\n" + String.join("\n", process.logTail(30)));
        }
    }

    /** The process's usage; a process that exits meanwhile fails as {@link #requireAlive} says. */
    private static ProcessUsage usage(ChildProcess process) {
        try {
            return ProcessUsage.of(process.pid());
        } catch (IOException e) {
            requireAlive(process);
            throw new IllegalStateException("cannot read the usage of " + process.name() + ": " + e, e);
        }
    }
}
