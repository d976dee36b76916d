package dev.streamtemplate.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import dev.streamtemplate.schemas.TopicCatalogue;
import dev.streamtemplate.testing.KafkaTestResource;
import dev.streamtemplate.testing.KafkaTopics;
import dev.streamtemplate.testing.TestProducer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The live page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven by
 * Selenium): it loads with no console error, shows the results already in the topics, and shows results published
 * while it is open within 5 seconds, without a reload. Leaves a screenshot at {@code target/live-page.png}.
 *
 * <p>The results are written as the stream services write them (same keys and JSON), in transactions; the topics are
 * emptied first, so what the page shows is exactly what this test wrote. Runs with {@code -Psystem-tests}.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class LivePageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String INSTALL = "apt-get install -y --no-install-recommends chromium chromium-driver";

    @TestHTTPResource("/")
    URL page;

    private ChromeDriver browser;
    private TestProducer<String, String> producer;

    @BeforeEach
    void browserAndEmptyTopics() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("Chromium and its driver are needed at %s and %s; install them with: %s", CHROMIUM, CHROMEDRIVER, INSTALL)
                .isTrue();
        Map<TopicPartition, RecordsToDelete> all = new HashMap<>();
        for (TopicCatalogue.TopicSpec topic : TopicCatalogue.LIVE_UPDATES_INPUTS) {
            for (int p = 0; p < topic.partitions(); p++) {
                all.put(new TopicPartition(topic.name(), p), RecordsToDelete.beforeOffset(-1));
            }
        }
        try (KafkaTopics topics = new KafkaTopics(KafkaTestResource.bootstrapServers())) {
            topics.admin().deleteRecords(all).all().get(30, TimeUnit.SECONDS);
        }
        producer = TestProducer.transactional(KafkaTestResource.bootstrapServers(), "live-page-browser-test",
                new StringSerializer(), new StringSerializer());

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1600,1000", "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
        if (producer != null) {
            producer.close();
        }
    }

    @Test
    void thePageShowsTheCurrentResultsAndUpdatesWithinFiveSecondsWithoutAReload() throws Exception {
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(3));
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
        producer.inTransaction(p -> {
            pageViews(p, "/home", minute, 42);
            pageViews(p, "/products/p-1", minute, 17);
            revenue(p, "/landing/spring-sale", hour, 125_00, 3);
            order(p, "order-1", "user-1", 19_99);
        });

        browser.get(page.toString());
        await("the page to connect and show the results already written").atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> {
                    assertThat(browser.findElement(By.id("connection")).getAttribute("data-state")).isEqualTo("live");
                    assertThat(text("kpi-views")).isEqualTo("59");
                    assertThat(text("kpi-orders")).isEqualTo("1");
                    assertThat(feedKeys("orders")).containsExactly("order-1");
                    assertThat(viewSeries()).containsEntry("/home", List.of(42L)).containsEntry("/products/p-1", List.of(17L));
                    assertThat(revenueSeries()).containsEntry("EUR", 125.0);
                });
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");

        Instant next = minute.plus(Duration.ofMinutes(1));
        producer.inTransaction(p -> {
            pageViews(p, "/home", next, 50);           // the next minute closed
            pageViews(p, "/products/p-1", minute, 18); // a correction of the first
            revenue(p, "/landing/spring-sale", hour, 150_00, 4);
            order(p, "order-2", "user-2", 5_00);
            p.send(TopicCatalogue.PURCHASE_BURSTS.name(), "user-3@" + minute, """
                    {"userId":"user-3","windowStart":"%s","windowEnd":"%s","purchases":4,"revision":0}"""
                    .formatted(minute, minute.plus(Duration.ofMinutes(10))));
        });
        long published = System.nanoTime();
        await("the page to show what was published, without a reload").atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> {
                    assertThat(viewSeries()).containsEntry("/home", List.of(42L, 50L)).containsEntry("/products/p-1", List.of(18L));
                    assertThat(text("kpi-views")).isEqualTo("50");
                    assertThat(revenueSeries()).containsEntry("EUR", 150.0);
                    assertThat(feedKeys("orders")).containsExactly("order-2", "order-1");
                    assertThat(feedKeys("bursts")).containsExactly("user-3@" + minute);
                    assertThat(text("kpi-bursts")).isEqualTo("1");
                });
        System.out.printf("live page: results shown %d ms after their transaction committed%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - published));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.notReloaded === true")).isEqualTo(true);

        File shot = browser.getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "live-page.png");
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("live page screenshot: " + target.toAbsolutePath());

        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
        assertThat(errors).as("console errors and warnings of the page").isEmpty();
    }

    private static void pageViews(TestProducer<String, String> p, String page, Instant start, long count) {
        p.send(TopicCatalogue.PAGE_VIEWS_TUMBLING.name(), page + "@" + start, """
                {"page":"%s","windowStart":"%s","windowEnd":"%s","count":%d,"revision":0}"""
                .formatted(page, start, start.plus(Duration.ofMinutes(1)), count));
    }

    private static void revenue(TestProducer<String, String> p, String page, Instant start, long cents, long purchases) {
        p.send(TopicCatalogue.ATTRIBUTED_REVENUE.name(), page + "@" + start, """
                {"page":"%s","windowStart":"%s","windowEnd":"%s","revenueCents":{"EUR":%d},"purchases":%d,"revision":0}"""
                .formatted(page, start, start.plus(Duration.ofHours(1)), cents, purchases));
    }

    private static void order(TestProducer<String, String> p, String orderId, String userId, long cents) {
        p.send(TopicCatalogue.ORDERS.name(), userId, """
                {"orderId":"%s","userId":"%s","checkoutEventId":"e-%s","lines":[{"productId":"p-1","quantity":1,\
                "unitPriceCents":%d,"currency":"EUR","amountCents":%d}],"totalCents":{"EUR":%d},"placedAt":"%s"}"""
                .formatted(orderId, userId, orderId, cents, cents, cents, Instant.now()));
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private List<String> feedKeys(String id) {
        return browser.findElements(By.cssSelector("#" + id + " li[data-key]")).stream()
                .map(li -> li.getAttribute("data-key")).toList();
    }

    /** The page-views chart as ECharts holds it: page to counts in window order. */
    @SuppressWarnings("unchecked")
    private Map<String, List<Long>> viewSeries() {
        return (Map<String, List<Long>>) ((JavascriptExecutor) browser).executeScript("""
                const series = window.liveDashboard.charts().views.getOption().series;
                return Object.fromEntries(series.map(s => [s.name, s.data.map(d => d[1])]));""");
    }

    /** The revenue chart's newest hour per currency, in major units. */
    @SuppressWarnings("unchecked")
    private Map<String, Double> revenueSeries() {
        Map<String, Number> raw = (Map<String, Number>) ((JavascriptExecutor) browser).executeScript("""
                const series = window.liveDashboard.charts().revenue.getOption().series;
                return Object.fromEntries(series.map(s => [s.name, s.data[s.data.length - 1]]));""");
        Map<String, Double> revenue = new HashMap<>();
        raw.forEach((currency, amount) -> revenue.put(currency, amount.doubleValue()));
        return revenue;
    }
}
