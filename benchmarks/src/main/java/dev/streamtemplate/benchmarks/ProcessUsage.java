package dev.streamtemplate.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a Linux process has used so far, read from {@code /proc/<pid>/stat} (user + system CPU time, fields 14 and 15,
 * in clock ticks) and {@code /proc/<pid>/status} ({@code VmRSS}, the resident set now, and {@code VmHWM}, its peak since
 * the process started; proc(5)).
 *
 * @param cpuMillis     CPU time used, user and system, in milliseconds
 * @param rssBytes      resident set size now, in bytes
 * @param peakRssBytes  the largest resident set size so far, in bytes
 */
public record ProcessUsage(long cpuMillis, long rssBytes, long peakRssBytes) {

    /** Clock ticks per second of {@code /proc/<pid>/stat}: {@code sysconf(_SC_CLK_TCK)}, 100 on every Linux build here. */
    private static final long TICKS_PER_SECOND = 100;

    /**
     * Reads the usage of process {@code pid}.
     *
     * @throws IOException when the process is gone or this is not Linux
     */
    public static ProcessUsage of(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name (field 2) is in parentheses and may contain spaces: fields are counted after it
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
        long rss = 0;
        long peak = 0;
        List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
        for (String line : status) {
            if (line.startsWith("VmRSS:")) {
                rss = kilobytes(line) * 1024;
            } else if (line.startsWith("VmHWM:")) {
                peak = kilobytes(line) * 1024;
            }
        }
        return new ProcessUsage(ticks * 1000 / TICKS_PER_SECOND, rss, peak);
    }

    private static long kilobytes(String statusLine) {
        return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
    }
}
