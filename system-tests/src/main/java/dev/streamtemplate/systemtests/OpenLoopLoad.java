package dev.streamtemplate.systemtests;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Requests at a constant rate, open loop: request {@code i} is due at {@code start + i / rate}; a scheduler thread
 * hands it to a pool of worker threads at that moment whether or not earlier ones have been answered, and its latency
 * is measured from that intended start, not from when a worker got to send it. A stall anywhere (server, network,
 * this JVM's own scheduling or GC, all workers busy) therefore shows in the latencies of every request that should
 * have gone out during it: no coordinated omission (Gil Tene, "How NOT to Measure Latency"; wrk2). Each worker keeps
 * one persistent HTTP/1.1 connection ({@link PlainHttpConnection}). Latencies go into an HdrHistogram with 3
 * significant digits.
 */
public final class OpenLoopLoad {

    /** Worker threads, so at most this many requests in flight; more wait in the queue (and that wait counts). */
    static final int WORKERS = 64;

    /**
     * What one run measured.
     *
     * @param kind          what was asked, for the table
     * @param rate          the intended rate, requests per second
     * @param requests      requests sent
     * @param achievedRate  answers per second, from the first intended start to the last answer
     * @param latencies     latencies of the good answers, nanoseconds
     * @param errors        answers that failed {@code ok} (wrong status or headers, no answer)
     * @param firstError    the first of them, for the report
     */
    public record Result(String kind, int rate, long requests, double achievedRate, Histogram latencies, long errors,
                         String firstError) {
    }

    private OpenLoopLoad() {
    }

    /**
     * Sends {@code rate} requests per second for {@code duration} to one host, then waits for the last answers.
     *
     * @param uris    the URI of request {@code i}; all on the same host and port
     * @param headers request headers for a request's URI (such as a signature over it)
     * @param timeout how long one answer may take before it counts as an error
     * @param ok      whether an answer counts as good; others count as errors, their latencies are not recorded
     */
    public static Result run(String kind, LongFunction<URI> uris, Function<URI, Map<String, String>> headers, int rate,
                             Duration duration, Duration timeout, Predicate<RoutedAnswer> ok) throws InterruptedException {
        long count = (long) rate * duration.toSeconds();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        URI first = uris.apply(0);
        List<PlainHttpConnection> connections = new CopyOnWriteArrayList<>();
        ThreadLocal<PlainHttpConnection> connection = ThreadLocal.withInitial(() -> {
            PlainHttpConnection created = new PlainHttpConnection(first.getHost(), first.getPort(), timeout);
            connections.add(created);
            return created;
        });
        ThreadPoolExecutor workers = new ThreadPoolExecutor(WORKERS, WORKERS, 1, TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "open-loop-worker");
                    thread.setDaemon(true);
                    return thread;
                });
        workers.prestartAllCoreThreads();
        Histogram latencies = new ConcurrentHistogram(TimeUnit.MINUTES.toNanos(1), 3);
        AtomicLong errors = new AtomicLong();
        AtomicLong lastAnswer = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        try {
            for (long i = 0; i < count; i++) {
                long intended = start + i * interval;
                long now;
                while ((now = System.nanoTime()) < intended) {
                    LockSupport.parkNanos(intended - now);
                }
                URI uri = uris.apply(i);
                workers.execute(() -> {
                    RoutedAnswer answer = connection.get().get(uri, headers.apply(uri));
                    long done = System.nanoTime();
                    lastAnswer.accumulateAndGet(done, Math::max);
                    if (ok.test(answer)) {
                        latencies.recordValue(Math.min(done - intended, latencies.getHighestTrackableValue()));
                    } else {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, answer.summary());
                    }
                });
            }
            workers.shutdown();
            if (!workers.awaitTermination(Math.max(60, duration.toSeconds()) + timeout.toSeconds(), TimeUnit.SECONDS)) {
                firstError.compareAndSet(null, workers.getQueue().size() + " requests still queued at the end");
            }
        } finally {
            workers.shutdownNow();
            connections.forEach(PlainHttpConnection::close);
        }
        double seconds = (lastAnswer.get() - start) / 1e9;
        return new Result(kind, rate, count, seconds > 0 ? count / seconds : 0, latencies, errors.get(), firstError.get());
    }
}
