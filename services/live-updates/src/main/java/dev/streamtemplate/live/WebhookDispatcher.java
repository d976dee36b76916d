package dev.streamtemplate.live;

import java.lang.management.ManagementFactory;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Runs this instance's {@link WebhookDelivery} on its own thread once the subscriptions are loaded, and stops it on
 * shutdown. Ready ({@code /q/health/ready}, check {@code webhooks}) once the subscriptions are loaded and while the
 * delivery runs.
 */
@ApplicationScoped
@Readiness
public class WebhookDispatcher implements HealthCheck {

    private final WebhookSubscriptions subscriptions;
    private final WebhookDelivery delivery;
    private final WebhookSettings settings;
    private Thread thread;

    WebhookDispatcher(WebhookSubscriptions subscriptions, KafkaClients clients, WebhookSettings settings, ObjectMapper json,
                      MeterRegistry registry) {
        this.subscriptions = subscriptions;
        this.settings = settings;
        this.delivery = new WebhookDelivery(clients, settings, subscriptions::receiving, subscriptions.callbacks(), json,
                registry, "live-updates-webhooks-" + ManagementFactory.getRuntimeMXBean().getPid());
    }

    void start(@Observes StartupEvent start) {
        thread = new Thread(() -> {
            while (!subscriptions.caughtUp() && !delivery.stopped()) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
            delivery.run();
        }, "webhook-delivery");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the delivery and waits for its consumer to leave the group, at most one attempt's timeout plus 5 s. */
    @PreDestroy
    void stop() throws InterruptedException {
        delivery.stop();
        if (thread != null) {
            thread.join(settings.timeout().plusSeconds(5).toMillis());
        }
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("webhooks").status(subscriptions.caughtUp() && !delivery.stopped())
                .withData("subscriptions", subscriptions.list().size()).build();
    }
}
