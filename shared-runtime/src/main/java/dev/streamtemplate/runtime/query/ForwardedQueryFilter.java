package dev.streamtemplate.runtime.query;

import dev.streamtemplate.http.WebApplicationErrors;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Trusts the headers by which instances ask each other for a query ({@link QueryHeaders#REQUEST}:
 * {@code X-Query-Forwarded-By}, {@code X-Query-Scope}, {@code X-Query-Replica}) only when
 * {@link ForwardedQuerySignature} proves another instance sent them: a request carrying any of them without a valid
 * {@value ForwardedQuerySignature#HEADER} gets 403 with the JSON error body saying why, and is not answered. Requests
 * without them are not concerned. When {@code query.forwarding-secret} is unset every such request is refused, and a
 * WARN names the setting once. Runs after {@link ApiKeyFilter}, on REST resources only ({@code /q/*} never reads
 * these headers).
 */
public class ForwardedQueryFilter {

    private static final Logger LOG = Logger.getLogger(ForwardedQueryFilter.class);

    private final AtomicBoolean warned = new AtomicBoolean();

    @Inject
    InstanceClient instances;

    /**
     * @param request the request being answered
     * @return a 403 answer, or empty to go on
     */
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION + 10)
    public Optional<Response> check(HttpServerRequest request) {
        boolean carries = false;
        for (String name : QueryHeaders.REQUEST) {
            carries |= request.getHeader(name) != null;
        }
        if (!carries) {
            return Optional.empty();
        }
        Optional<ForwardedQuerySignature> signature = instances.signature();
        if (signature.isEmpty()) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("A request carried X-Query-* headers, which only another instance may send, and"
                        + " query.forwarding-secret (QUERY_FORWARDING_SECRET) is not set: refused. Set the same secret"
                        + " on every instance of this service to let them forward queries to each other.");
            }
            return refused("this instance takes X-Query-* request headers only from another instance, and it has no"
                    + " query.forwarding-secret to check them");
        }
        return signature.get().problem(request.method().name(), request.uri(), request::getHeader,
                        request.getHeader(ForwardedQuerySignature.HEADER), System.currentTimeMillis())
                .map(problem -> refused("X-Query-* request headers are taken only from another instance of this"
                        + " service, and this request's signature is not valid: " + problem).get());
    }

    private static Optional<Response> refused(String message) {
        return Optional.of(WebApplicationErrors.json(Response.Status.FORBIDDEN, message).build());
    }
}
