package dev.streamtemplate.runtime.query;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns query failures into JSON answers: {@link InvalidQueryException} 400,
 * {@link StoreNotQueryableException} 503 with {@code Retry-After}, and JAX-RS' own errors (unknown
 * route 404, wrong method 405, unsupported media type 415) with the same {@link ApiError} body.
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

    /**
     * @param e JAX-RS' own error (unknown route, wrong method, unsupported media type, ...)
     * @return the same status and headers with an {@link ApiError} body
     */
    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response original = e.getResponse();
        Response.StatusType status = original.getStatusInfo();
        Response.ResponseBuilder builder = Response.status(status.getStatusCode())
                .type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(status.getStatusCode(), status.getReasonPhrase(), e.getMessage()));
        original.getHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        return builder.build();
    }

    static Response.ResponseBuilder json(Response.Status status, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(status.getStatusCode(), status.getReasonPhrase(), message));
    }
}
