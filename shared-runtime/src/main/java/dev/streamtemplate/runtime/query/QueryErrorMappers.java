package dev.streamtemplate.runtime.query;

import jakarta.ws.rs.core.Response;

import dev.streamtemplate.http.ApiError;
import dev.streamtemplate.http.WebApplicationErrors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns query failures into JSON answers: {@link InvalidQueryException} 400,
 * {@link StoreNotQueryableException} 503 with {@code Retry-After}, both with the {@link ApiError} body that
 * {@link WebApplicationErrors} gives JAX-RS' own errors.
 */
public class QueryErrorMappers {

    /**
     * @param e a bad query parameter
     * @return 400 with an {@link ApiError}
     */
    @ServerExceptionMapper
    public Response invalidQuery(InvalidQueryException e) {
        return json(Response.Status.BAD_REQUEST, e.getMessage()).build();
    }

    /**
     * @param e a store that cannot answer now
     * @return 503 with an {@link ApiError} and, when a retry can help, {@code Retry-After} in whole
     *         seconds (at least 1)
     */
    @ServerExceptionMapper
    public Response notQueryable(StoreNotQueryableException e) {
        Response.ResponseBuilder response = json(Response.Status.SERVICE_UNAVAILABLE, e.getMessage());
        if (e.retryAfter() != null) {
            response.header("Retry-After", Math.max(1, (e.retryAfter().toMillis() + 999) / 1000));
        }
        return response.build();
    }

    static Response.ResponseBuilder json(Response.Status status, String message) {
        return WebApplicationErrors.json(status, message);
    }
}
