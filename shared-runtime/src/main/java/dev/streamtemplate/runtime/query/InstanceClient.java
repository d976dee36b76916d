package dev.streamtemplate.runtime.query;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends a GET to another instance of this service without blocking a thread: Vert.x' HTTP client (the one the
 * Quarkus HTTP server runs on), persistent HTTP/1.1 connections pooled per instance, callbacks on the Vert.x context
 * that sent the request (the event loop of the request being answered, when called from one).
 *
 * <p>Time limits, from {@link QueryRoutingSettings}: {@code query.connect-timeout} bounds getting a connection
 * (opening one, or waiting for a pooled one) and {@code query.read-timeout} bounds the whole answer once the request
 * is on its way (status, headers and body); past it the connection is reset and the answer fails with a
 * {@link TimeoutException}. So no answer takes longer than connect + read timeout.
 *
 * <p>Created at start-up ({@link Startup}), outside any request's Vert.x context, so the client belongs to the
 * application, not to the event loop of the first request that happened to need it. A
 * {@code query.forwarding-secret} shorter than 16 characters stops the start-up with an
 * {@link IllegalArgumentException}.
 */
@Startup
@ApplicationScoped
public class InstanceClient {

    /**
     * Largest number of open connections to one other instance. Requests beyond it wait for a free one (within the
     * connect timeout). A forwarded query holds its connection for about a millisecond, so a few are in use at a time;
     * the headroom is for bursts, such as the queue that forms behind a garbage-collection pause.
     */
    static final int CONNECTIONS_PER_INSTANCE = 64;

    private static final Logger LOG = Logger.getLogger(InstanceClient.class);

    /**
     * Another instance's answer.
     *
     * @param status  HTTP status
     * @param headers response headers (case-insensitive names)
     * @param body    response body, empty when there is none
     */
    public record Answer(int status, MultiMap headers, byte[] body) {

        /** The answer's {@code Content-Type}, JSON when it sent none. */
        public String contentType() {
            String type = headers.get("Content-Type");
            return type == null ? MediaType.APPLICATION_JSON : type;
        }
    }

    @Inject
    Vertx vertx;

    @Inject
    QueryRoutingSettings settings;

    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    String applicationServer;

    private HttpClient client;
    private HostInfo self;
    private Optional<ForwardedQuerySignature> signature;
    private final AtomicBoolean warned = new AtomicBoolean();

    @PostConstruct
    void init() {
        self = HostInfo.buildFromEndpoint(applicationServer);
        signature = settings.forwardingSecret().filter(secret -> !secret.isBlank()).map(ForwardedQuerySignature::new);
        client = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout(Math.toIntExact(settings.connectTimeout().toMillis()))
                        .setKeepAlive(true)
                        .setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_INSTANCE));
    }

    /** This instance, as Kafka Streams names it to the others ({@code application.server}). */
    public HostInfo self() {
        return self;
    }

    /**
     * What signs this instance's forwarded queries and checks others' ({@link ForwardedQueryFilter}); empty when
     * {@code query.forwarding-secret} is unset.
     */
    Optional<ForwardedQuerySignature> signature() {
        return signature;
    }

    /** This instance's {@code host:port}. */
    public String selfEndpoint() {
        return endpoint(self);
    }

    /** An instance's {@code host:port}, as the query headers name it. */
    public static String endpoint(HostInfo host) {
        return host.host() + ":" + host.port();
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }

    /**
     * GETs {@code pathAndQuery} from {@code host}. Never throws; the future fails when no answer came (connection
     * refused, connect timeout, read timeout, connection closed) and succeeds with any answer that came, whatever
     * its status.
     *
     * @param host         the instance, as Kafka Streams names it ({@code application.server})
     * @param pathAndQuery the request URI, from its path on ({@code /page-views?page=...})
     * @param headers      request headers ({@code Accept: application/json} is always sent,
     *                     {@code Authorization} when {@code query.api-key} is set, and
     *                     {@value ForwardedQuerySignature#HEADER} over these when {@code query.forwarding-secret} is)
     * @return the answer, on the calling thread's Vert.x context
     */
    public Future<Answer> get(HostInfo host, String pathAndQuery, Map<String, String> headers) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(host.host())
                .setPort(host.port())
                .setURI(pathAndQuery)
                .setConnectTimeout(settings.connectTimeout().toMillis())
                .putHeader("Accept", MediaType.APPLICATION_JSON);
        headers.forEach(options::putHeader);
        settings.apiKey().filter(key -> !key.isBlank())
                .ifPresent(key -> options.putHeader("Authorization", "Bearer " + key)); // ApiKeyFilter
        if (signature.isPresent()) {
            options.putHeader(ForwardedQuerySignature.HEADER,
                    signature.get().sign("GET", pathAndQuery, headers::get, System.currentTimeMillis()));
        } else if (warned.compareAndSet(false, true)) {
            LOG.warn("Forwarding a query to " + endpoint(host) + " without query.forwarding-secret"
                    + " (QUERY_FORWARDING_SECRET): it will refuse it. Set the same secret on every instance.");
        }
        long readTimeout = settings.readTimeout().toMillis();
        return client.request(options).compose(request -> {
            Promise<Answer> answer = Promise.promise();
            long timer = vertx.setTimer(readTimeout, id -> {
                TimeoutException timeout = new TimeoutException("no whole answer from " + endpoint(host)
                        + " within " + readTimeout + " ms");
                if (answer.tryFail(timeout)) {
                    request.reset(0, timeout);
                }
            });
            request.send()
                    .compose(response -> response.body().map(body -> new Answer(response.statusCode(), response.headers(),
                            body.getBytes())))
                    .onComplete(result -> {
                        vertx.cancelTimer(timer);
                        if (result.succeeded()) {
                            answer.tryComplete(result.result());
                        } else {
                            answer.tryFail(result.cause());
                        }
                    });
            return answer.future();
        });
    }
}
