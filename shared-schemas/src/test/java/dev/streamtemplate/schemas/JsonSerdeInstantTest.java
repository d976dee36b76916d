package dev.streamtemplate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link JsonSerde} reads instants as Jackson's own {@code JavaTimeModule} does: equal values for every text, the same
 * rejections, whether {@link UtcInstantDeserializer} reads the text itself or hands it to Jackson.
 */
class JsonSerdeInstantTest {

    /** Jackson as it reads instants without the fast path. */
    private static final ObjectMapper JACKSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    @Test
    void everyIsoInstantReadsAsInstantParseReadsIt() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        long from = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        int readHere = 0;
        for (int i = 0; i < 20_000; i++) {
            // whole seconds, milli-, micro- and nanoseconds: ISO_INSTANT writes 0, 3, 6 or 9 fraction digits
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            long seconds = i % 2 == 0 ? random.nextLong(from, to + 1)
                    : random.nextLong(Instant.parse("2000-01-01T00:00:00Z").getEpochSecond(),
                    Instant.parse("2100-01-01T00:00:00Z").getEpochSecond());
            String text = Instant.ofEpochSecond(seconds, nanos).toString();
            assertThat(read(text)).as(text).isEqualTo(Instant.parse(text));
            readHere += UtcInstantDeserializer.parse(text) != null ? 1 : 0;
        }
        assertThat(readHere).as("texts read without DateTimeFormatter").isEqualTo(20_000);
    }

    @Test
    void theMapperReadsInstantsWithTheUtcReader() throws Exception {
        DeserializationContext context = ((DefaultDeserializationContext) JsonSerde.MAPPER.getDeserializationContext())
                .createDummyInstance(JsonSerde.MAPPER.getDeserializationConfig());
        assertThat(context.findRootValueDeserializer(JsonSerde.MAPPER.constructType(Instant.class)))
                .isInstanceOf(UtcInstantDeserializer.class);
    }

    @Test
    void everyNumberOfFractionDigitsScalesToNanoseconds() throws Exception {
        String fraction = "123456789";
        for (int digits = 1; digits <= fraction.length(); digits++) {
            String text = "2026-12-05T10:15:30." + fraction.substring(0, digits) + "Z";
            assertThat(UtcInstantDeserializer.parse(text)).as(text).isEqualTo(Instant.parse(text));
            assertThat(read(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-05T10:15:30Z", "2026-12-05T10:15:30.1Z", "2026-12-05T10:15:30.12Z",
            "2026-12-05T10:15:30.1234Z", "2026-12-05T10:15:30.123456789Z", "2024-02-29T23:59:59.999Z",
            "2000-02-29T00:00:00Z", "0000-02-29T12:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.5Z"})
    void anyNumberOfFractionDigitsAndEdgeDatesReadAsJacksonReadsThem(String text) throws Exception {
        assertThat(UtcInstantDeserializer.parse(text)).as("read without DateTimeFormatter").isNotNull();
        assertThat(read(text)).isEqualTo(JACKSON.readValue(quoted(text), Instant.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-12-05T10:15:30+01:00", "2026-12-05t10:15:30z", "2026-12-05T23:59:60Z",
            "2026-12-05T24:00:00Z", "-0001-12-05T10:15:30Z", "+12026-12-05T10:15:30Z", "2026-12-05T10:15:30.Z", " 2026-12-05T10:15:30Z"})
    void otherFormsAreJacksonsToReadOrReject(String text) {
        assertThat(UtcInstantDeserializer.parse(text)).as("left to Jackson").isNull();
        assertSameOutcome(quoted(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-30T10:15:30Z", "2025-02-29T10:15:30Z", "1900-02-29T10:15:30Z",
            "2100-02-29T10:15:30Z", "2026-13-05T10:15:30Z",
            "2026-12-05T10:60:30Z", "2026-12-05T10:15:30.1234567890Z", "2026-12-O5T10:15:30Z"})
    void invalidDatesAreRejectedAsJacksonRejectsThem(String text) {
        assertThat(UtcInstantDeserializer.parse(text)).as("left to Jackson").isNull();
        assertThatThrownBy(() -> read(text)).isInstanceOf(InvalidFormatException.class);
        assertSameOutcome(quoted(text));
    }

    @Test
    void numbersAndNullAreJacksonsToo() {
        assertSameOutcome("1764929730");
        assertSameOutcome("1764929730.5");
        assertSameOutcome("null");
    }

    private static Instant read(String text) throws Exception {
        return JsonSerde.MAPPER.readValue(quoted(text), Instant.class);
    }

    private static String quoted(String text) {
        return '"' + text + '"';
    }

    private static void assertSameOutcome(String json) {
        Object expected;
        try {
            expected = JACKSON.readValue(json, Instant.class);
        } catch (Exception e) {
            expected = e.getClass();
        }
        Object actual;
        try {
            actual = JsonSerde.MAPPER.readValue(json, Instant.class);
        } catch (Exception e) {
            actual = e.getClass();
        }
        assertThat(actual).as(json).isEqualTo(expected);
    }
}
