package dev.streamtemplate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The record key of windowed result topics, written and read back. */
class WindowKeyTest {

    @Test
    void aKeyIsWrittenAsKeyAtIsoStartAndReadBack() {
        WindowKey key = new WindowKey("/home", Instant.parse("2026-11-21T10:00:00Z"));
        assertThat(key.toString()).isEqualTo("/home@2026-11-21T10:00:00Z");
        assertThat(WindowKey.parse(key.toString())).isEqualTo(key);

        WindowKey withAt = new WindowKey("mail@example.com", Instant.parse("2026-11-21T09:12:31.500Z"));
        assertThat(withAt.toString()).isEqualTo("mail@example.com@2026-11-21T09:12:31.500Z");
        assertThat(WindowKey.parse(withAt.toString())).as("split at the last @").isEqualTo(withAt);
    }

    @Test
    void textWithoutAWindowStartIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> WindowKey.parse("/home")).withMessageContaining("/home");
        assertThatIllegalArgumentException().isThrownBy(() -> WindowKey.parse("/home@yesterday"))
                .withMessageContaining("/home@yesterday");
    }
}
