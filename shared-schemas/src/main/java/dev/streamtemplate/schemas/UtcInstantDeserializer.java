package dev.streamtemplate.schemas;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * Reads an {@link Instant} written as {@code uuuu-MM-ddTHH:mm:ss[.f…]Z} (UTC, four-digit year 0000–9999, none or one to
 * nine fraction digits: a superset of what {@link java.time.format.DateTimeFormatter#ISO_INSTANT} writes, and the form
 * every event here carries) with plain digit arithmetic. Any other token or text, including every invalid date, goes to
 * Jackson's {@link InstantDeserializer#INSTANT} with its defaults, so the accepted values and the errors are Jackson's;
 * a property with a {@code @JsonFormat} (none here) gets Jackson's contextual deserializer instead.
 *
 * <p>Why: Jackson parses instants with {@code DateTimeFormatter}; JFR showed it as 7.6 % of traffic-analytics' stream
 * thread, and no Jackson option avoids it (benchmarks/README.md, "What the findings bought"). The result equals
 * {@link Instant#parse} for every text this class reads itself ({@code JsonSerdeInstantTest}).
 */
final class UtcInstantDeserializer extends StdScalarDeserializer<Instant> implements ContextualDeserializer {

    private static final int[] NANOS_PER_DIGIT = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};
    /** {@code 2026-12-05T10:15:30Z}: the shortest text read here. */
    private static final int SHORTEST = 20;

    UtcInstantDeserializer() {
        super(Instant.class);
    }

    /** This deserializer, or Jackson's own for a property whose format is configured ({@code @JsonFormat}). */
    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext context, BeanProperty property)
            throws JsonMappingException {
        JsonFormat.Value format = findFormatOverrides(context, property, handledType());
        if (format == null || format.equals(JsonFormat.Value.empty())) {
            return this;
        }
        return InstantDeserializer.INSTANT.createContextual(context, property);
    }

    @Override
    public LogicalType logicalType() {
        return LogicalType.DateTime;
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        if (parser.hasToken(JsonToken.VALUE_STRING)) {
            Instant instant = parse(parser.getText());
            if (instant != null) {
                return instant;
            }
        }
        return InstantDeserializer.INSTANT.deserialize(parser, context);
    }

    /** The instant {@code text} names in the strict UTC form, or {@code null} for any other text. */
    static Instant parse(String text) {
        int length = text.length();
        if (length < SHORTEST || length == SHORTEST + 1 || length > SHORTEST + 1 + NANOS_PER_DIGIT.length
                || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-' || text.charAt(7) != '-'
                || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > Month.of(month).length(Year.isLeap(year))) {
            return null;
        }
        int nanos = 0;
        if (length > SHORTEST) {
            if (text.charAt(19) != '.') {
                return null;
            }
            int fractionDigits = length - SHORTEST - 1;
            int fraction = digits(text, 20, fractionDigits);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction * NANOS_PER_DIGIT[fractionDigits - 1];
        }
        long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** The decimal number of {@code count} ASCII digits at {@code from}, or -1 if one is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
