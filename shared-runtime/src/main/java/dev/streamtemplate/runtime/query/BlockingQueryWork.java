package dev.streamtemplate.runtime.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

/**
 * Where the blocking part of a query runs, and how its answer becomes JSON. A store read (RocksDB) and the JSON
 * serialization of its answer may block, so on an event loop they run on a Vert.x worker thread and their outcome
 * comes back on the caller's Vert.x context; on a worker thread (a {@code @Blocking} resource) they run right there.
 */
@ApplicationScoped
public class BlockingQueryWork {

    @Inject
    Vertx vertx;

    @Inject
    ObjectMapper json;

    /**
     * Runs {@code work} off the event loop.
     *
     * @param work may block; may throw
     * @return its result, or its failure
     */
    public <T> Future<T> offEventLoop(Callable<T> work) {
        if (Context.isOnEventLoopThread()) {
            return vertx.executeBlocking(work, false);
        }
        try {
            return Future.succeededFuture(work.call());
        } catch (Exception e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * {@code value} as JSON, with the application's {@link ObjectMapper} (ISO-8601 instants).
     *
     * @throws UncheckedIOException when it cannot be written
     */
    public byte[] json(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write the answer as JSON", e);
        }
    }

    /** The application's {@link ObjectMapper}, to read other instances' answers. */
    ObjectMapper mapper() {
        return json;
    }
}
