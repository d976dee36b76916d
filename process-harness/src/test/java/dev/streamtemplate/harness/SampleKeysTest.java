package dev.streamtemplate.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleKeysTest {

    private static Map.Entry<String, String> record(String key, String value) {
        return new SimpleImmutableEntry<>(key, value);
    }

    @Test
    void theKeyInMostRecordsWinsTiesGoToTheSmallest() {
        List<Map.Entry<String, String>> orders = List.of(record("u-0009", "{}"), record("u-0003", "{}"),
                record("u-0009", "{}"), record("u-0003", "{}"), record("u-0005", "{}"));

        assertThat(SampleKeys.choose(SampleKey.recordKey("orders"), orders)).contains("u-0003");
    }

    @Test
    void aKeyWhoseLatestRecordIsATombstoneIsGone() {
        List<Map.Entry<String, String>> carts = List.of(record("u-0001", "{\"items\":[1]}"),
                record("u-0001", "{\"items\":[1,2]}"), record("u-0002", "{\"items\":[3]}"), record("u-0001", null));

        assertThat(SampleKeys.choose(SampleKey.recordKey("carts"), carts)).contains("u-0002");
        assertThat(SampleKeys.choose(SampleKey.recordKey("carts"), List.of(record("u-0001", null)))).isEmpty();
    }

    @Test
    void aValueFieldCountsOnlyWhereItIsAString() {
        List<Map.Entry<String, String>> attributed = List.of(
                record("u-0001", "{\"attributed\":true,\"page\":\"/products/p-0004\"}"),
                record("u-0002", "{\"attributed\":false,\"page\":null}"),
                record("u-0003", "{\"attributed\":true,\"page\":\"/products/p-0002\"}"),
                record("u-0004", "{\"attributed\":true,\"page\":\"/products/p-0004\"}"),
                record("u-0005", "not json"),
                record("u-0006", null));

        assertThat(SampleKeys.choose(SampleKey.valueField("attributed-purchases", "page"), attributed))
                .contains("/products/p-0004");
        assertThat(SampleKeys.choose(SampleKey.valueField("attributed-purchases", "page"),
                List.of(record("u-0002", "{\"page\":null}")))).isEmpty();
    }

    @Test
    void anEmptyTopicHasNoKey() {
        assertThat(SampleKeys.choose(SampleKey.recordKey("purchase-bursts"), List.of())).isEmpty();
    }
}
