package dev.streamtemplate.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Gives the {@link ApiError} JSON body to the answers the HTTP layer writes before any resource runs, on every route
 * ({@code /q/*} included):
 * <ul>
 *   <li>400 when the request URI is not RFC 3986 ({@link URI}), such as bad percent-encoding in the path or query
 *       ({@code %zz}, {@code %}) or {@code []}. Quarkus checks this itself and answers 400 with no body unless the JVM
 *       runs with {@code -Dvertx.disableURIValidation=true}, as the images, the local stack and the tests do;</li>
 *   <li>any other 4xx the router fails a request with, which would otherwise go out with no body; 5xx failures
 *       are left to Quarkus, which logs them;</li>
 *   <li>414 when the request line is longer than {@code http.limits.request-line} characters (default 16384) and
 *       431 when the request's headers together are longer than {@code http.limits.headers} (default 32768).</li>
 * </ul>
 * Vert.x' own limits, {@code quarkus.http.limits.max-initial-line-length} and {@code max-header-size} (64 KiB, in
 * shared-http's {@code microprofile-config.properties}), sit above these so that this class sees such requests;
 * past them Vert.x answers 414 or 431 with no body, as Quarkus offers no hook for those answers.
 */
@ApplicationScoped
public class MalformedRequests {

    @ConfigProperty(name = "http.limits.request-line", defaultValue = "16384")
    int requestLineLimit;

    @ConfigProperty(name = "http.limits.headers", defaultValue = "32768")
    int headersLimit;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::checkRequest);
        router.route().order(Integer.MIN_VALUE).failureHandler(MalformedRequests::jsonBody);
    }

    private void checkRequest(RoutingContext context) {
        HttpServerRequest request = context.request();
        try {
            new URI(request.uri());
        } catch (URISyntaxException e) {
            end(context, 400, "the request URI is not valid (RFC 3986): " + e.getReason() + " at index " + e.getIndex());
            return;
        }
        int requestLine = request.method().name().length() + request.uri().length() + 10;
        if (requestLine > requestLineLimit) {
            end(context, 414, "the request line is " + requestLine + " characters long, longer than the "
                    + requestLineLimit + " this service takes");
            return;
        }
        int headers = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headers += header.getKey().length() + header.getValue().length() + 4;
        }
        if (headers > headersLimit) {
            end(context, 431, "the request's headers are " + headers + " characters long, longer than the "
                    + headersLimit + " this service takes");
            return;
        }
        context.next();
    }

    private static void jsonBody(RoutingContext context) {
        int status = context.statusCode();
        if (status < 400 || status >= 500 || context.response().headWritten()) {
            context.next();
            return;
        }
        Throwable failure = context.failure();
        end(context, status, failure instanceof IllegalArgumentException && failure.getMessage() != null
                ? "the request cannot be read: " + failure.getMessage()
                : "the request cannot be read (its URI or headers are malformed)");
    }

    private static void end(RoutingContext context, int status, String message) {
        context.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(Json.encode(new ApiError(status, HttpResponseStatus.valueOf(status).reasonPhrase(), message)));
    }
}
