package dev.streamtemplate.schemas;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link JsonSerde#deserialize} for every input event type (Jazzer, coverage-guided): whatever the bytes, it
 * returns an event that writes and reads back equal, or throws {@link MalformedEventException}; any other exception,
 * a hang or an out-of-memory is a finding. In a normal build each method replays its corpus,
 * {@code src/test/resources/dev/streamtemplate/schemas/JsonSerdeFuzzTestInputs/<method>/}, as a regression test.
 *
 * <p>To fuzz one method: {@code JAZZER_FUZZ=1 JAZZER_INSTRUMENTATION_INCLUDES='dev.streamtemplate.**:com.fasterxml.jackson.**'
 * mvn -pl shared-schemas test -Dtest=JsonSerdeFuzzTest#pageView} (Jackson instrumented too, so the fuzzer sees the
 * parser's branches). New inputs that reach new code go to {@code shared-schemas/.cifuzz-corpus/} (not committed),
 * a finding to the corpus directory, where it stays as a regression input once fixed. The committed corpus is that
 * directory merged down to inputs that each add coverage (libFuzzer {@code -merge=1 -use_counters=0}).
 */
class JsonSerdeFuzzTest {

    private static final JsonSerde<PageView> PAGE_VIEWS = JsonSerde.of(PageView.class);
    private static final JsonSerde<Purchase> PURCHASES = JsonSerde.of(Purchase.class);
    private static final JsonSerde<CartEvent> CART_EVENTS = JsonSerde.of(CartEvent.class);
    private static final JsonSerde<UserChange> USER_CHANGES = JsonSerde.of(UserChange.class);
    private static final JsonSerde<Product> PRODUCTS = JsonSerde.of(Product.class);

    @FuzzTest(maxDuration = "30s")
    void pageView(byte[] input) {
        readOrReject(PAGE_VIEWS, input);
    }

    @FuzzTest(maxDuration = "30s")
    void purchase(byte[] input) {
        readOrReject(PURCHASES, input);
    }

    @FuzzTest(maxDuration = "30s")
    void cartEvent(byte[] input) {
        readOrReject(CART_EVENTS, input);
    }

    @FuzzTest(maxDuration = "30s")
    void userChange(byte[] input) {
        readOrReject(USER_CHANGES, input);
    }

    @FuzzTest(maxDuration = "30s")
    void product(byte[] input) {
        readOrReject(PRODUCTS, input);
    }

    /** Reads {@code input}; a {@link MalformedEventException} is the expected rejection, anything else escapes. */
    private static <T> void readOrReject(JsonSerde<T> serde, byte[] input) {
        T event;
        try {
            event = serde.deserialize("fuzzed", input);
        } catch (MalformedEventException expected) {
            return; // the contract: a clear rejection
        }
        if (event != null) {
            // what was read can be written and read back to an equal event; a rejection here is a finding
            T again = serde.deserialize("fuzzed", serde.serialize("fuzzed", event));
            if (!event.equals(again)) {
                throw new AssertionError("round trip changed " + event + " into " + again);
            }
        }
    }
}
