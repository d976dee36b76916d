package dev.streamtemplate.live;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtemplate.schemas.TopicCatalogue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Delivers the pushed results to webhook subscriptions, at least once. One consumer in the group
 * {@link WebhookSettings#groupId()} reads the pushed topics {@code read_committed}; each batch of records is POSTed to
 * every subscription of its type, all deliveries of the batch at once, each retried with exponential backoff and full
 * jitter up to {@link WebhookSettings#maxAttempts()} and then written to {@code webhook-dlq} with the reason. Only when
 * every delivery of the batch has succeeded or is dead-lettered are its offsets committed: a crash before loses
 * nothing, the batch is delivered again, and receivers deduplicate by {@code Idempotency-Key}.
 *
 * <p>A request: {@code POST}, body the {@link ResultEvent} JSON, headers {@code Idempotency-Key} (the source record's
 * {@code <topic>:<partition>:<offset>}), {@link WebhookSignature#HEADER}, {@code Webhook-Subscription},
 * {@code Webhook-Event-Type}, {@code Webhook-Attempt} (from 1). A 2xx answer delivers it; 408, 429, 5xx, a timeout
 * ({@link WebhookSettings#timeout()}, the whole exchange) or a connection failure is retried; any other 4xx, or a
 * callback whose host now resolves to a refused address, is dead-lettered at once. Redirects are not followed.
 * A receiver that is down holds its batch back for the retry schedule (at most the sum of the backoff caps plus
 * {@code maxAttempts} timeouts), so other receivers wait that long too. A callback whose host does not resolve is
 * retried like a connection failure; a batch that cannot be finished (a dead letter the broker does not take) is
 * delivered again after a backoff.
 */
public final class WebhookDelivery implements Runnable {

    private static final Logger LOG = Logger.getLogger(WebhookDelivery.class);
    /** How soon the meters of a newly assigned partition (its lag) appear; Micrometer's default is a minute. */
    private static final Duration METRICS_REFRESH = Duration.ofSeconds(5);

    private final KafkaClients clients;
    private final WebhookSettings settings;
    private final Function<String, List<Subscription>> receiving;
    private final CallbackAddresses callbacks;
    private final ObjectMapper json;
    private final HttpClient http;
    private final MeterRegistry registry;
    private final String clientId;
    private final Clock clock = Clock.systemUTC();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean stopped;

    /**
     * @param clients   creates the group consumer and the dead-letter producer
     * @param settings  attempts, backoff, timeout, group
     * @param receiving the subscriptions of an event type, read at each record
     * @param callbacks vets a callback's addresses before every attempt
     * @param json      writes bodies and dead letters
     * @param registry  receives {@code live_webhook_deliveries_total{outcome}},
     *                  {@code live_webhook_attempts_total{result}} and the group consumer's {@code kafka_consumer_*}
     *                  metrics (Micrometer's {@code KafkaClientMetrics}), its lag among them
     * @param clientId  the consumer's and producer's {@code client.id}
     */
    public WebhookDelivery(KafkaClients clients, WebhookSettings settings, Function<String, List<Subscription>> receiving,
                           CallbackAddresses callbacks, ObjectMapper json, MeterRegistry registry, String clientId) {
        this.clients = clients;
        this.settings = settings;
        this.receiving = receiving;
        this.callbacks = callbacks;
        this.json = json;
        this.registry = registry;
        this.clientId = clientId;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Polls, delivers and commits until {@link #stop()}. */
    @Override
    public void run() {
        try (KafkaConsumer<String, byte[]> consumer = clients.groupConsumer(clientId, settings.groupId(), settings.batchSize(),
                maxPollInterval());
             KafkaProducer<String, String> deadLetters = clients.producer(clientId + "-dlq");
             KafkaClientMetrics consumerMetrics = new KafkaClientMetrics(consumer, Tags.empty(),
                     Executors.newSingleThreadScheduledExecutor(daemon("webhook-consumer-metrics")), METRICS_REFRESH)) {
            consumerMetrics.bindTo(registry); // kafka_consumer_*: the group's lag, fetch rates, rebalances
            this.consumer = consumer;
            consumer.subscribe(TopicCatalogue.LIVE_UPDATES_INPUTS.stream().map(TopicCatalogue.TopicSpec::name).toList());
            int failedBatches = 0;
            while (!stopped) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    deliver(records, deadLetters);
                } catch (RuntimeException e) {
                    if (stopped) {
                        break; // nothing committed: the next owner delivers the batch again
                    }
                    failedBatches++;
                    Duration wait = backoff(failedBatches);
                    LOG.warnf(e, "A webhook batch could not be finished; delivering it again in %d ms", wait.toMillis());
                    firstOffsets(records).forEach(consumer::seek);
                    Thread.sleep(wait.toMillis());
                    continue;
                }
                failedBatches = 0;
                commit(consumer, nextOffsets(records));
            }
        } catch (WakeupException e) {
            // stopping
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Webhook delivery stopped");
        } finally {
            stopped = true;
        }
    }

    /**
     * Stops: no attempt starts any more, a batch whose deliveries all ended is still committed, one that did not is
     * left uncommitted for the next owner of its partitions.
     */
    public void stop() {
        stopped = true;
        KafkaConsumer<String, byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    /** @return whether it has stopped, asked to or because it failed */
    public boolean stopped() {
        return stopped;
    }

    /** Commits; a {@link #stop()} that woke the consumer meanwhile does not lose the commit of a delivered batch. */
    private static void commit(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            consumer.commitSync(offsets); // a wakeup is taken by one call only
        }
    }

    /**
     * The longest a batch can take, so that its consumer is not taken for dead meanwhile ({@code max.poll.interval.ms}):
     * every attempt's timeout and every backoff cap, plus a minute; at least Kafka's default of 5 minutes.
     */
    private Duration maxPollInterval() {
        Duration worst = settings.timeout().multipliedBy(settings.maxAttempts());
        for (int attempt = 1; attempt < settings.maxAttempts(); attempt++) {
            worst = worst.plus(cap(attempt));
        }
        worst = worst.plus(Duration.ofMinutes(1));
        return worst.compareTo(Duration.ofMinutes(5)) > 0 ? worst : Duration.ofMinutes(5);
    }

    private void deliver(ConsumerRecords<String, byte[]> records, KafkaProducer<String, String> deadLetters) {
        List<CompletableFuture<Void>> deliveries = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            List<Subscription> subscriptions = receiving.apply(record.topic());
            if (subscriptions.isEmpty()) {
                continue;
            }
            ResultEvent event = ResultEvent.of(record, json);
            byte[] body = bytes(event);
            for (Subscription subscription : subscriptions) {
                Delivery delivery = new Delivery(subscription, event, body, deadLetters);
                // started inside a future: whatever the first attempt throws fails this delivery, not the batch loop
                deliveries.add(CompletableFuture.completedFuture(delivery).thenCompose(d -> attempt(d, 1)));
            }
        }
        CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new)).join();
    }

    private record Delivery(Subscription subscription, ResultEvent event, byte[] body,
                            KafkaProducer<String, String> deadLetters) {
    }

    private CompletableFuture<Void> attempt(Delivery delivery, int attempt) {
        if (stopped) {
            return CompletableFuture.failedFuture(new IllegalStateException("stopping"));
        }
        URI url = URI.create(delivery.subscription().url());
        try {
            callbacks.checkAddresses(url);
        } catch (CallbackAddresses.UnresolvedCallbackException e) {
            count("live.webhook.attempts", "result", "no_answer");
            return retryOrDeadLetter(delivery, attempt, e.getMessage(), null, true);
        } catch (CallbackAddresses.RefusedCallbackException e) {
            return deadLetter(delivery, attempt - 1, "refused: " + e.getMessage(), null);
        }
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", delivery.event().position())
                .header(WebhookSignature.HEADER, WebhookSignature.sign(delivery.subscription().secret(), delivery.body()))
                .header("Webhook-Subscription", delivery.subscription().id())
                .header("Webhook-Event-Type", delivery.event().type())
                .header("Webhook-Attempt", Integer.toString(attempt))
                .POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    if (failure == null && response.statusCode() / 100 == 2) {
                        count("live.webhook.attempts", "result", "delivered");
                        count("live.webhook.deliveries", "outcome", "delivered");
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    Integer status = failure == null ? response.statusCode() : null;
                    String reason = failure == null ? "the receiver answered " + status : describe(failure);
                    count("live.webhook.attempts", "result", failure == null ? "status_" + status : "no_answer");
                    boolean retryable = status == null || status == 408 || status == 429 || status >= 500;
                    return retryOrDeadLetter(delivery, attempt, reason, status, retryable);
                })
                .thenCompose(next -> next);
    }

    private CompletableFuture<Void> retryOrDeadLetter(Delivery delivery, int attempt, String reason, Integer status,
                                                      boolean retryable) {
        if (retryable && attempt < settings.maxAttempts()) {
            if (stopped) {
                return CompletableFuture.failedFuture(new IllegalStateException("stopping"));
            }
            Duration wait = backoff(attempt);
            return CompletableFuture.supplyAsync(() -> null,
                            CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> attempt(delivery, attempt + 1));
        }
        return deadLetter(delivery, attempt, reason, status);
    }

    /**
     * The wait after failed attempt {@code attempt}: uniformly random between 0 and
     * {@code min(maxBackoff, initialBackoff * 2^(attempt - 1))} ("full jitter").
     */
    Duration backoff(int attempt) {
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap(attempt).toMillis() + 1));
    }

    private Duration cap(int attempt) {
        return Duration.ofMillis(Math.min(settings.maxBackoff().toMillis(),
                settings.initialBackoff().toMillis() << Math.min(attempt - 1, 30)));
    }

    private CompletableFuture<Void> deadLetter(Delivery delivery, int attempts, String reason, Integer status) {
        WebhookDeadLetter letter = new WebhookDeadLetter(delivery.subscription().id(), delivery.subscription().url(),
                delivery.event().position(), attempts, reason, status, clock.instant(), delivery.event());
        CompletableFuture<Void> written = new CompletableFuture<>();
        String value;
        try {
            value = json.writeValueAsString(letter);
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(e);
        }
        delivery.deadLetters().send(new ProducerRecord<>(TopicCatalogue.WEBHOOK_DLQ.name(), letter.subscriptionId(), value),
                (metadata, failure) -> {
                    if (failure != null) {
                        written.completeExceptionally(failure);
                    } else {
                        count("live.webhook.deliveries", "outcome", "dead_lettered");
                        LOG.infof("Webhook delivery of %s to subscription %s dead-lettered after %d attempts: %s",
                                letter.idempotencyKey(), letter.subscriptionId(), attempts, reason);
                        written.complete(null);
                    }
                });
        return written;
    }

    private void count(String name, String tag, String value) {
        Counter.builder(name).tag(tag, value).register(registry).increment();
    }

    private byte[] bytes(ResultEvent event) {
        try {
            return json.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof java.util.concurrent.TimeoutException || cause instanceof java.net.http.HttpTimeoutException) {
            return "no answer within the timeout";
        }
        if (cause instanceof IOException) {
            return "no answer: " + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
        }
        return "no answer: " + cause;
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> of = records.records(partition);
            next.put(partition, new OffsetAndMetadata(of.get(of.size() - 1).offset() + 1));
        }
        return next;
    }

    private static Map<TopicPartition, Long> firstOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            first.put(partition, records.records(partition).get(0).offset());
        }
        return first;
    }
}
