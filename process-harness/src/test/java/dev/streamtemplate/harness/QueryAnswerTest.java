package dev.streamtemplate.harness;

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

        assertThat(answer.hasData()).isTrue();
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
    void anEntityOrAnAnswerWithResultsShowsData() {
        assertThat(new QueryAnswer(URI_, 200, "{\"userId\":\"u-0007\",\"items\":[]}").hasData()).isTrue();
        QueryAnswer topPages = new QueryAnswer(URI_, 200,
                "{\"complete\":true,\"results\":[{\"page\":\"/home\",\"views\":3},{\"page\":\"/deals\",\"views\":2}]}");
        assertThat(topPages.hasData()).isTrue();
        assertThat(topPages.summary()).isEqualTo("2 results, first {\"page\":\"/home\",\"views\":3}");
        assertThat(new QueryAnswer(URI_, 200, "{\"results\":[]}").summary()).isEqualTo("none yet (no results)");
    }

    @Test
    void saysWhyThereIsNoData() {
        assertThat(new QueryAnswer(URI_, 200, "[]").hasData()).isFalse();
        assertThat(new QueryAnswer(URI_, 404, "{\"error\":\"unknown user\"}").hasData()).isFalse();
        assertThat(new QueryAnswer(URI_, 200, "{\"complete\":true,\"results\":[]}").hasData()).isFalse();
        assertThat(new QueryAnswer(URI_, 200, "not json").hasData()).isFalse();
        assertThat(new QueryAnswer(URI_, 200, "[]").summary()).isEqualTo("none yet (empty array)");
        assertThat(new QueryAnswer(URI_, 404, "{\"error\":\"unknown user\"}").summary())
                .isEqualTo("HTTP 404: {\"error\":\"unknown user\"}");
        assertThat(new QueryAnswer(URI_, 0, "java.net.ConnectException").summary())
                .isEqualTo("no answer (java.net.ConnectException)");
    }
}
