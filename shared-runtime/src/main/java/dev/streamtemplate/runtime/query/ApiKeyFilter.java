package dev.streamtemplate.runtime.query;

import dev.streamtemplate.http.WebApplicationErrors;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The optional API key of the HTTP API: when {@code query.api-key} is set (environment variable
 * {@code QUERY_API_KEY}, in Kubernetes from a Secret), every request to the service's REST resources (the queries
 * and {@code /streams/*}) must carry {@code Authorization: Bearer <key>} (RFC 6750); without it, or with another
 * key, the answer is 401 with the JSON error body and {@code WWW-Authenticate: Bearer realm="queries"}. The key is
 * compared in constant time and never logged or echoed. Unset (the default, for local runs), nothing is required.
 * Health, metrics and the OpenAPI document ({@code /q/*}) stay open: probes and Prometheus do not send it. An
 * instance forwarding a query to another sends its own key ({@link InstanceClient}), so all instances of a service
 * need the same one.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {

    private static final String SCHEME = "Bearer ";

    /** Looked up at the first request: providers are created before runtime configuration is available. */
    @Inject
    Instance<QueryRoutingSettings> settings;

    private volatile Optional<byte[]> key;

    @Override
    public void filter(ContainerRequestContext request) {
        Optional<byte[]> key = this.key;
        if (key == null) {
            key = settings.get().apiKey().filter(k -> !k.isBlank()).map(k -> k.getBytes(StandardCharsets.UTF_8));
            this.key = key;
        }
        if (key.isEmpty()) {
            return;
        }
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        boolean bearer = authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
        byte[] offered = bearer ? authorization.substring(SCHEME.length()).trim().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (!MessageDigest.isEqual(offered, key.get())) {
            request.abortWith(WebApplicationErrors.json(Response.Status.UNAUTHORIZED, bearer
                            ? "the API key is not valid" : "this API requires a key: send Authorization: Bearer <key>")
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"queries\"")
                    .build());
        }
    }
}
