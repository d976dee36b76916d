package dev.streamtemplate.runtime.query;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * How {@link KeyRouter} and {@link FanOutQuery} reach other instances, from shared-runtime's
 * {@code META-INF/microprofile-config.properties} (overridable in a service's {@code application.properties}) under
 * {@code query.*} (environment variables {@code QUERY_CONNECT_TIMEOUT} and so on). The address other
 * instances reach this one at is Kafka Streams' {@code application.server}
 * ({@code quarkus.kafka-streams.application-server}, host:port of the HTTP server; in Kubernetes the
 * pod's stable DNS name from a StatefulSet's headless service).
 */
@ConfigMapping(prefix = "query")
public interface QueryRoutingSettings {

    /** Longest wait to open a connection to another instance. */
    @WithDefault("500ms")
    Duration connectTimeout();

    /** Longest wait for another instance's whole answer once the request is sent. */
    @WithDefault("2s")
    Duration readTimeout();

    /**
     * Largest offset lag (changelog records not yet applied) at which a standby replica still answers
     * a key query while the active task's instance cannot (KIP-535's {@code LagInfo#offsetLag}).
     */
    @WithDefault("10000")
    long standbyMaxLag();

    /**
     * The key every request to the HTTP API must carry as {@code Authorization: Bearer <key>} ({@link ApiKeyFilter});
     * empty: none required. The same on every instance: forwarded queries carry it too.
     */
    Optional<String> apiKey();

    /**
     * The secret all instances of the service share to sign the queries they forward to each other
     * ({@link ForwardedQuerySignature}), at least 16 characters; in Kubernetes from a Secret. Unset, this instance
     * refuses every request carrying {@link QueryHeaders#REQUEST} headers (403) and its own forwarded queries are
     * refused by the others: one instance alone never forwards, several need it.
     */
    Optional<String> forwardingSecret();
}
