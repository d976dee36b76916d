package dev.streamtemplate.testing;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;

/** Waits for a Kafka client future and turns its checked exceptions into Kafka's unchecked ones. */
final class KafkaFutures {

    private KafkaFutures() {
    }

    /**
     * The future's value.
     *
     * @throws TimeoutException   if it is not done within {@code timeout}
     * @throws RuntimeException   the failure's own cause when that is unchecked (e.g. a {@code KafkaException})
     * @throws KafkaException     wrapping a checked cause
     * @throws InterruptException if the thread is interrupted (the interrupt flag is set again)
     */
    static <T> T get(Future<T> future, Duration timeout, String action) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new KafkaException(action + " failed: " + cause, cause);
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            throw new TimeoutException(action + " did not complete within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        }
    }
}
