package dev.streamtemplate.live;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * One Server-Sent Events client: its own Kafka consumer, assigned every partition of the topics it asked for, reads
 * from its start position and writes each record as an event on this client's connection, on this stream's own
 * thread, so a slow client slows nobody else.
 *
 * <p>Events, in this order: {@code ready} (its id the start position), then one event per record, named after its
 * topic, with its {@link ResultEvent} as data and the position after it as id ({@link StreamPosition}). A comment
 * line after {@link LiveSettings#heartbeat()} of silence. A {@code resync} event ({@code {"reason","detail"}}, its id
 * the new position) when the client cannot have everything after its position: the position is older than
 * retention or unknown, or the client left more than {@link LiveSettings#clientBuffer()} events (or
 * {@link LiveSettings#clientBufferBytes()} of their data) untaken for longer than {@link LiveSettings#clientStall()}.
 * While the buffer is full the stream reads nothing. After a
 * resync the stream goes on from the newest records; the client reloads what it shows.
 */
final class ClientStream implements Runnable {

    /** Why a client was sent {@code resync}, the {@code reason} of its data and a metric tag. */
    enum ResyncReason {
        /** Records after the client's position were deleted by retention. */
        RETENTION,
        /** The position is past the end of a partition: the topic was recreated, or the id is from elsewhere. */
        UNKNOWN_POSITION,
        /** The {@code Last-Event-ID} is not a position this service wrote. */
        UNREADABLE_ID,
        /** The client took events more slowly than they came and its buffer overflowed. */
        OVERFLOW
    }

    /** Where the client asked to start. */
    sealed interface Start {
        /** After a position a client received ({@code Last-Event-ID}). */
        record After(StreamPosition position) implements Start {
        }

        /** At the first record written at or after this instant, or at the end. */
        record Since(Instant instant) implements Start {
        }

        /** At the end: only records written from now on. */
        record Newest() implements Start {
        }

        /** The client sent a {@code Last-Event-ID} this service cannot read. */
        record Unreadable(String lastEventId) implements Start {
        }
    }

    private static final Logger LOG = Logger.getLogger(ClientStream.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration ROOM_CHECK = Duration.ofMillis(20);

    private final String name;
    private final List<String> topics;
    private final Start start;
    private final SseEventSink sink;
    private final Sse sse;
    private final ObjectMapper json;
    private final KafkaConsumer<String, byte[]> consumer;
    private final LiveSettings settings;
    private final LiveMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean stalled;
    private StreamPosition position;
    private long lastWriteNanos = System.nanoTime();

    ClientStream(String name, List<String> topics, Start start, SseEventSink sink, Sse sse, ObjectMapper json,
                 KafkaConsumer<String, byte[]> consumer, LiveSettings settings, LiveMetrics metrics) {
        this.name = name;
        this.topics = topics;
        this.start = start;
        this.sink = sink;
        this.sse = sse;
        this.json = json;
        this.consumer = consumer;
        this.settings = settings;
        this.metrics = metrics;
    }

    String name() {
        return name;
    }

    /** @return events written to this client's connection and not yet taken by it */
    int buffered() {
        return inFlight.get();
    }

    /** @return whether its buffer has been full for longer than {@link LiveSettings#clientStall()}: it will resync */
    boolean stalled() {
        return stalled;
    }

    /** Ends the stream: its thread closes the consumer and the connection within one poll (200 ms). */
    void close() {
        closed = true;
    }

    @Override
    public void run() {
        try (consumer) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo info : consumer.partitionsFor(topic)) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            seekToStart(partitions);
            while (!closed && !sink.isClosed()) {
                if (full()) {
                    awaitRoom(partitions);
                    continue;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (full()) {
                        // the rest of this poll is read again from the position: by the next turn, or after a resync
                        position.next().forEach(consumer::seek);
                        break;
                    }
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    position = position.after(partition, record.offset());
                    write(sse.newEventBuilder().name(record.topic()).id(position.encode())
                            .mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class, toJson(ResultEvent.of(record, json))).build());
                    metrics.eventWritten(record.topic());
                }
                if (System.nanoTime() - lastWriteNanos > settings.heartbeat().toNanos()) {
                    write(sse.newEventBuilder().comment("heartbeat").build());
                }
            }
        } catch (RuntimeException e) {
            if (!closed && !sink.isClosed()) {
                LOG.warnf(e, "Server-Sent Events stream %s failed; closing it (the client reconnects with its last id)", name);
            }
        } finally {
            closed = true;
            sink.close();
        }
    }

    private void seekToStart(List<TopicPartition> partitions) {
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<TopicPartition, Long> next = new HashMap<>();
        ResyncReason resync = null;
        String detail = null;
        if (start instanceof Start.After after) {
            for (TopicPartition partition : partitions) {
                // a partition the id does not name (a type added, a partition added) starts at its first record
                long offset = after.position().next().getOrDefault(partition, beginning.get(partition));
                if (offset < beginning.get(partition)) {
                    resync = ResyncReason.RETENTION;
                    detail = partition + " keeps records from offset " + beginning.get(partition)
                            + "; the client's position is " + offset;
                } else if (offset > end.get(partition)) {
                    resync = ResyncReason.UNKNOWN_POSITION;
                    detail = partition + " ends at offset " + end.get(partition) + "; the client's position is " + offset;
                }
                next.put(partition, offset);
            }
        } else if (start instanceof Start.Since since) {
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(p -> times.put(p, since.instant().toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp at = found.get(partition);
                next.put(partition, at == null ? end.get(partition) : at.offset());
            }
        } else if (start instanceof Start.Unreadable unreadable) {
            resync = ResyncReason.UNREADABLE_ID;
            detail = "Last-Event-ID '" + abbreviate(unreadable.lastEventId()) + "' is not a position of this service";
        } else {
            next.putAll(end);
        }
        if (resync != null) {
            next.clear();
            next.putAll(end);
        }
        next.forEach(consumer::seek);
        position = new StreamPosition(next);
        if (resync != null) {
            writeResync(resync, detail);
        } else {
            write(sse.newEventBuilder().name("ready").id(position.encode()).mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(String.class, "{\"types\":" + toJson(topics) + "}").build());
        }
    }

    /** @return whether the client has {@link LiveSettings#clientBuffer()} events or their bytes not yet taken */
    private boolean full() {
        return inFlight.get() >= settings.clientBuffer() || inFlightBytes.get() >= settings.clientBufferBytes();
    }

    /**
     * The client's buffer is full: read nothing until half of it is taken. A client that took longer than
     * {@link LiveSettings#clientStall()} has overflowed: it moves to the newest records and is told so; a burst that
     * drained sooner goes on from the position, nothing skipped.
     */
    private void awaitRoom(List<TopicPartition> partitions) {
        long overflowAt = System.nanoTime() + settings.clientStall().toNanos();
        while (!closed && !sink.isClosed() && (inFlight.get() > settings.clientBuffer() / 2
                || inFlightBytes.get() > settings.clientBufferBytes() / 2)) {
            stalled = System.nanoTime() >= overflowAt;
            try {
                Thread.sleep(ROOM_CHECK.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
                return;
            }
        }
        stalled = false;
        if (closed || sink.isClosed() || System.nanoTime() < overflowAt) {
            return;
        }
        consumer.seekToEnd(partitions);
        Map<TopicPartition, Long> next = new HashMap<>();
        partitions.forEach(p -> next.put(p, consumer.position(p)));
        position = new StreamPosition(next);
        writeResync(ResyncReason.OVERFLOW, "more than " + settings.clientBuffer() + " events or "
                + settings.clientBufferBytes() + " characters waited for this client for more than "
                + settings.clientStall().toMillis() + " ms; it continues from the newest records");
    }

    private void writeResync(ResyncReason reason, String detail) {
        ObjectNode data = json.createObjectNode().put("reason", reason.name()).put("detail", detail);
        write(sse.newEventBuilder().name("resync").id(position.encode()).mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(String.class, data.toString()).build());
        metrics.resync(reason);
    }

    private void write(OutboundSseEvent event) {
        long bytes = event.getData() == null ? 0 : event.getData().toString().length();
        inFlight.incrementAndGet();
        inFlightBytes.addAndGet(bytes);
        lastWriteNanos = System.nanoTime();
        sink.send(event).whenComplete((ignored, failure) -> {
            inFlight.decrementAndGet();
            inFlightBytes.addAndGet(-bytes);
            if (failure != null) {
                closed = true; // the client went away
            }
        });
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
