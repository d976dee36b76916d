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

    WebhookDispatcher(WebhookSubscriptions subscriptions, KafkaClients clients, WebhookSettings settings, ObjectMapper json,
                      MeterRegistry registry) {
        this.subscriptions = subscriptions;
        this.delivery = new WebhookDelivery(clients, settings, subscriptions::receiving, subscriptions.callbacks(), json,
                registry, "live-updates-webhooks-" + ManagementFactory.getRuntimeMXBean().getPid());
    }

    void start(@Observes StartupEvent start) {
        Thread thread = new Thread(() -> {
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

    @PreDestroy
    void stop() {
        delivery.stop();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("webhooks").status(subscriptions.caughtUp() && !delivery.stopped())
                .withData("subscriptions", subscriptions.list().size()).build();
    }
}
