package dev.streamtemplate.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's memory against the memory it may use, for the alert on memory near the limit:
 * <ul>
 *   <li>{@code process.memory.rss} ({@code process_memory_rss_bytes}): resident set size, bytes, as
 *       {@code VmRSS} of {@code /proc/self/status} (Linux; NaN elsewhere). It includes what the JVM's
 *       own meters do not: RocksDB's block cache and memtables, thread stacks, direct buffers.</li>
 *   <li>{@code process.memory.limit} ({@code process_memory_limit_bytes}): the memory the JVM sees as
 *       the machine's ({@code OperatingSystemMXBean.getTotalMemorySize}), which is the container's
 *       memory limit in a container (the JVM's container support), else the host's RAM.</li>
 * </ul>
 */
@ApplicationScoped
public class ProcessMemoryMetrics {

    private static final Path STATUS = Path.of("/proc/self/status");

    void register(@Observes StartupEvent started, MeterRegistry registry) {
        Gauge.builder("process.memory.rss", ProcessMemoryMetrics::residentSetBytes)
                .description("Resident set size of the process (VmRSS), bytes")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("process.memory.limit", ProcessMemoryMetrics::limitBytes)
                .description("Memory the process may use: the container's limit in a container, else the host's RAM, bytes")
                .baseUnit("bytes")
                .register(registry);
    }

    /** {@code VmRSS} of {@code /proc/self/status} in bytes, NaN when it cannot be read. */
    static double residentSetBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Double.parseDouble(line.substring(6).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    static double limitBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Double.NaN;
    }
}
