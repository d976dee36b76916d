package dev.streamtemplate.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class QueryAnswerTest {

    private static final URI URI_ = URI.create("http://localhost:8081/page-views?page=/home");

    @Test
    void summarisesWindows() {
        QueryAnswer answer = new QueryAnswer(URI_, 200, """
                [{"page":"/home","windowStart":"2026-11-21T10:13:00Z","windowEnd":"2026-11-21T10:14:00Z","count":9},
                 {"page":"/home","windowStart":"2026-11-21T10:14:00Z","windowEnd":"2026-11-21T10:15:00Z","count":12}]
                """);

        assertThat(answer.isNonEmptyArray()).isTrue();
        assertThat(answer.summary()).isEqualTo("2 windows, last 2026-11-21T10:14Z..10:15Z: count 12");
    }

    @Test
    void summarisesSessions() {
        QueryAnswer answer = new QueryAnswer(URI_, 200, """
                [{"userId":"u-0001","start":"2026-11-21T09:02:10Z","end":"2026-11-21T09:40:00Z","pageViews":7}]
                """);

        assertThat(answer.summary()).isEqualTo("1 entry, last 2026-11-21T09:02Z..09:40Z: pageViews 7");
    }

    @Test
    void saysWhyThereIsNoData() {
        assertThat(new QueryAnswer(URI_, 200, "[]").isNonEmptyArray()).isFalse();
        assertThat(new QueryAnswer(URI_, 200, "[]").summary()).isEqualTo("none yet (empty array)");
        assertThat(new QueryAnswer(URI_, 404, "{\"error\":\"unknown user\"}").summary())
                .isEqualTo("HTTP 404: {\"error\":\"unknown user\"}");
        assertThat(new QueryAnswer(URI_, 0, "java.net.ConnectException").summary())
                .isEqualTo("no answer (java.net.ConnectException)");
    }
}
