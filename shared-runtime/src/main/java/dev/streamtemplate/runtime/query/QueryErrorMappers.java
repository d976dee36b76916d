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

    @ServerExceptionMapper
    public Response invalidQuery(InvalidQueryException e) {
        return json(Response.Status.BAD_REQUEST, e.getMessage()).build();
    }

    @ServerExceptionMapper
    public Response notQueryable(StoreNotQueryableException e) {
        long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
        return json(Response.Status.SERVICE_UNAVAILABLE, e.getMessage())
                .header("Retry-After", seconds)
                .build();
    }

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
