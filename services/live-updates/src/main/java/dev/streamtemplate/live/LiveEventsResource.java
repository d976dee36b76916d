package dev.streamtemplate.live;

import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import dev.streamtemplate.schemas.TopicCatalogue;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * {@code GET /events}: the pushed results as Server-Sent Events (the format is {@link ClientStream}'s). A client that
 * reconnects with {@code Last-Event-ID} (browsers send it themselves) receives every record after that position, with
 * no gap and no duplicate, as far back as topic retention allows, otherwise a {@code resync} event.
 */
@Path("/events")
public class LiveEventsResource {

    /** The longest history a client may ask for: a year; retention is usually much shorter. */
    private static final Duration MAX_SINCE = Duration.ofDays(366);

    private final ClientStreams streams;
    private final Clock clock;

    LiveEventsResource(ClientStreams streams) {
        this.streams = streams;
        this.clock = Clock.systemUTC();
    }

    /**
     * @param types       comma-separated event types, each a pushed topic's name; absent or blank: all of them
     * @param since       ISO-8601 duration: a client without a position starts with the records of this last span
     *                    (by record timestamp) instead of only new ones, for example {@code PT3H}
     * @param lastEventId the position to resume after, from the {@code Last-Event-ID} header
     * @param lastEventIdParam the same as a query parameter, for a client that cannot set headers; the header wins
     * @throws BadRequestException (400) for an unknown type, or a {@code since} that is malformed, negative or longer
     *                             than 366 days
     */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Stream results as Server-Sent Events, resumable with Last-Event-ID")
    public void events(@Parameter(description = "comma-separated types: " + "page-views-per-minute, purchase-bursts, "
                               + "attributed-revenue-hourly, orders, cart-rejections; default all")
                       @QueryParam("types") String types,
                       @Parameter(description = "ISO-8601 duration of history to start with when no position is given")
                       @QueryParam("since") String since,
                       @HeaderParam("Last-Event-ID") String lastEventId,
                       @Parameter(description = "the position to resume after, when the Last-Event-ID header cannot be set")
                       @QueryParam("lastEventId") String lastEventIdParam,
                       @Context SseEventSink sink, @Context Sse sse) {
        List<String> topics = topics(types);
        String resumeAfter = lastEventId != null && !lastEventId.isBlank() ? lastEventId : lastEventIdParam;
        ClientStream.Start start;
        if (resumeAfter != null && !resumeAfter.isBlank()) {
            start = StreamPosition.parse(resumeAfter.trim())
                    .<ClientStream.Start>map(ClientStream.Start.After::new)
                    .orElseGet(() -> new ClientStream.Start.Unreadable(resumeAfter.trim()));
        } else if (since != null && !since.isBlank()) {
            start = new ClientStream.Start.Since(clock.instant().minus(duration(since)));
        } else {
            start = new ClientStream.Start.Newest();
        }
        streams.start(topics, start, sink, sse);
    }

    private static List<String> topics(String types) {
        List<String> known = TopicCatalogue.LIVE_UPDATES_INPUTS.stream().map(TopicCatalogue.TopicSpec::name).toList();
        if (types == null || types.isBlank()) {
            return known;
        }
        List<String> topics = new ArrayList<>();
        for (String type : types.split(",")) {
            String name = type.trim();
            if (!known.contains(name)) {
                throw new BadRequestException("unknown type '" + name + "'; types are " + String.join(", ", known));
            }
            if (!topics.contains(name)) {
                topics.add(name);
            }
        }
        return topics;
    }

    private static Duration duration(String since) {
        try {
            Duration span = Duration.parse(since.trim());
            if (span.isNegative() || span.compareTo(MAX_SINCE) > 0) {
                throw new BadRequestException("'since' must be between PT0S and " + MAX_SINCE + ", got " + since);
            }
            return span;
        } catch (DateTimeParseException e) {
            throw new BadRequestException("'since' must be an ISO-8601 duration such as PT3H, got '" + since + "'");
        }
    }
}
