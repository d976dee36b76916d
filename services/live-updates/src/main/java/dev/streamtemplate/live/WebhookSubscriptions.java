package dev.streamtemplate.live;

import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.ServiceUnavailableException;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtemplate.schemas.TopicCatalogue;
import io.quarkus.runtime.StartupEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * The webhook subscriptions, kept in the compacted topic {@code webhook-subscriptions} (key: subscription id, a
 * tombstone removes one) so every instance knows them all and they survive restarts. Each instance reads the topic
 * from its beginning on its own thread and keeps the latest record per key in memory; {@link #caughtUp()} once it has
 * read what the topic held at start. A change is written, then awaited in this instance's copy, so a list right after
 * it shows it.
 */
@ApplicationScoped
public class WebhookSubscriptions {

    private static final Logger LOG = Logger.getLogger(WebhookSubscriptions.class);
    private static final String TOPIC = TopicCatalogue.WEBHOOK_SUBSCRIPTIONS.name();
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final KafkaClients clients;
    private final ObjectMapper json;
    private final CallbackAddresses callbacks;
    private final Clock clock = Clock.systemUTC();
    private KafkaProducer<String, String> producer;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final Object positionMonitor = new Object();
    private volatile long position = -1;
    private volatile long startEnd = Long.MAX_VALUE;
    private volatile boolean stopped;

    WebhookSubscriptions(KafkaClients clients, ObjectMapper json, WebhookSettings settings) {
        this.clients = clients;
        this.json = json;
        this.callbacks = new CallbackAddresses(settings.allowPrivateAddresses());
    }

    void start(@Observes StartupEvent start) {
        producer = clients.producer("live-updates-webhook-subscriptions");
        consumer = clients.consumer("live-updates-webhook-subscriptions");
        Thread reader = new Thread(this::read, "webhook-subscriptions");
        reader.setDaemon(true);
        reader.start();
    }

    /** @return whether this instance has read every subscription the topic held when it started */
    public boolean caughtUp() {
        return position >= startEnd;
    }

    /** @return the subscriptions, without their secrets, oldest first */
    public List<Subscription> list() {
        return subscriptions.values().stream().sorted(Comparator.comparing(Subscription::createdAt)
                .thenComparing(Subscription::id)).map(Subscription::withoutSecret).toList();
    }

    /** @return the subscriptions that receive this event type, secrets included */
    public List<Subscription> receiving(String type) {
        return subscriptions.values().stream().filter(s -> s.types().contains(type)).toList();
    }

    /** @return the subscription with this id, without its secret */
    public Optional<Subscription> find(String id) {
        return Optional.ofNullable(subscriptions.get(id)).map(Subscription::withoutSecret);
    }

    /** @return the guard that vets callback addresses, at subscription and before every attempt */
    public CallbackAddresses callbacks() {
        return callbacks;
    }

    /**
     * Validates and stores a subscription.
     *
     * @return it, with its secret (the only answer that shows it)
     * @throws BadRequestException         (400) for a missing, malformed or refused URL, no or unknown types, or a
     *                                     secret shorter than 16 or longer than 256 characters
     * @throws ServiceUnavailableException (503) if the broker does not take it, or this instance does not read it back,
     *                                     within 10 s
     */
    public Subscription create(SubscriptionRequest request) {
        if (request == null) {
            throw new BadRequestException("a JSON body {\"url\":...,\"types\":[...]} is required");
        }
        URI url;
        try {
            url = callbacks.check(request.url());
        } catch (CallbackAddresses.RefusedCallbackException e) {
            throw new BadRequestException(e.getMessage());
        }
        List<String> known = TopicCatalogue.LIVE_UPDATES_INPUTS.stream().map(TopicCatalogue.TopicSpec::name).toList();
        if (request.types() == null || request.types().isEmpty()) {
            throw new BadRequestException("'types' needs at least one of " + String.join(", ", known));
        }
        List<String> types = new ArrayList<>();
        for (String type : request.types()) {
            if (type == null || !known.contains(type)) {
                throw new BadRequestException("unknown type '" + type + "'; types are " + String.join(", ", known));
            }
            if (!types.contains(type)) {
                types.add(type);
            }
        }
        String secret = request.secret();
        if (secret == null) {
            byte[] random = new byte[32];
            RANDOM.nextBytes(random);
            secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        } else if (secret.length() < 16 || secret.length() > 256) {
            throw new BadRequestException("'secret' must have 16 to 256 characters");
        }
        Subscription subscription = new Subscription(UUID.randomUUID().toString(), url.toString(), List.copyOf(types),
                secret, clock.instant());
        try {
            write(subscription.id(), json.writeValueAsString(subscription));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return subscription;
    }

    /**
     * Removes a subscription: a tombstone for its key.
     *
     * @return whether there was one with this id
     * @throws ServiceUnavailableException (503) if the broker does not take it within 10 s
     */
    public boolean delete(String id) {
        if (!subscriptions.containsKey(id)) {
            return false;
        }
        write(id, null);
        return true;
    }

    private void write(String id, String value) {
        try {
            RecordMetadata written = producer.send(new ProducerRecord<>(TOPIC, id, value))
                    .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
            synchronized (positionMonitor) { // this instance's reader takes it within one poll
                while (position <= written.offset() && System.nanoTime() < deadline) {
                    positionMonitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
                if (position <= written.offset()) {
                    throw new ServiceUnavailableException("the change was stored, but this instance has not read it back"
                            + " within " + WRITE_TIMEOUT.toSeconds() + " s; list the subscriptions again later", 5L);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceUnavailableException("interrupted while storing the subscription", 5L);
        } catch (ExecutionException | TimeoutException e) {
            throw new ServiceUnavailableException("the subscription could not be stored: " + e.getMessage(), 5L);
        }
    }

    private void read() {
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, byte[]> consumer = this.consumer) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            startEnd = consumer.endOffsets(List.of(partition)).get(partition);
            while (!stopped) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    apply(record);
                }
                synchronized (positionMonitor) {
                    position = consumer.position(partition);
                    positionMonitor.notifyAll();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "Reading %s failed; webhook subscriptions are no longer updated on this instance", TOPIC);
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            subscriptions.remove(record.key());
            return;
        }
        try {
            Subscription subscription = json.readValue(record.value(), Subscription.class);
            if (subscription.url() == null || subscription.types() == null || subscription.secret() == null
                    || subscription.createdAt() == null) {
                throw new IOException("url, types, secret and createdAt are required");
            }
            subscriptions.put(record.key(), new Subscription(record.key(), subscription.url(),
                    List.copyOf(subscription.types()), subscription.secret(), subscription.createdAt()));
        } catch (IOException | NullPointerException e) {
            LOG.warnf("Skipping the unreadable subscription %s at %s-%d offset %d: %s", record.key(), record.topic(),
                    record.partition(), record.offset(), e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        stopped = true;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
