package dev.streamtemplate.http;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Gives JAX-RS' own errors the {@link ApiError} body: an unknown route (404), a wrong method (405), an unsupported
 * media type (415), and every {@link WebApplicationException} a resource throws, such as
 * {@link jakarta.ws.rs.BadRequestException} with the reason as its message. Status and headers are kept; the body
 * becomes {@code {"status":...,"error":...,"message":...}}.
 */
public class WebApplicationErrors {

    /**
     * @param e JAX-RS' own error, or one a resource threw
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

    /**
     * @param status  the answer's status
     * @param message what was wrong, in words the caller can act on
     * @return a builder for that status with an {@link ApiError} body
     */
    public static Response.ResponseBuilder json(Response.Status status, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(status.getStatusCode(), status.getReasonPhrase(), message));
    }
}
