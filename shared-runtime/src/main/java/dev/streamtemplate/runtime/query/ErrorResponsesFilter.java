package dev.streamtemplate.runtime.query;

import dev.streamtemplate.http.ApiError;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.headers.Header;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Adds the error answers every query route shares to the service's OpenAPI document ({@code /q/openapi}), so the
 * resources declare only their own (such as 404): a MicroProfile OpenAPI filter ({@code mp.openapi.filter}).
 *
 * <p>To every GET operation outside {@code /q/}: 401 when the service requires an API key ({@link ApiKeyFilter}).
 * To those outside {@code /streams/} too (the instance views, which answer in any state): 400 when it has parameters ({@link InvalidQueryException}), and 503
 * with a {@code Retry-After} header in whole seconds ({@link StoreNotQueryableException}; the header is absent once
 * Kafka Streams has stopped). Every 4xx and 5xx answer without content gets the {@link ApiError} body, as
 * {@link QueryErrorMappers} writes it.
 */
public class ErrorResponsesFilter implements OASFilter {

    private static final String JSON = jakarta.ws.rs.core.MediaType.APPLICATION_JSON;
    private static final String API_ERROR = "#/components/schemas/ApiError";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            Operation get = path.getValue().getGET();
            if (get == null || path.getKey().startsWith("/q/")) {
                continue;
            }
            APIResponses responses = get.getResponses() == null ? OASFactory.createAPIResponses() : get.getResponses();
            get.setResponses(responses);
            if (!responses.hasAPIResponse("401")) {
                responses.addAPIResponse("401", OASFactory.createAPIResponse()
                        .description("the service requires an API key (query.api-key) and the request has none or"
                                + " another: send Authorization: Bearer <key>")
                        .content(errorBody()));
            }
            if (path.getKey().startsWith("/streams/")) {
                continue;
            }
            if (get.getParameters() != null && !get.getParameters().isEmpty() && !responses.hasAPIResponse("400")) {
                responses.addAPIResponse("400", OASFactory.createAPIResponse()
                        .description("a parameter is missing, malformed or out of range"));
            }
            if (!responses.hasAPIResponse("503")) {
                Header retryAfter = OASFactory.createHeader()
                        .description("seconds to wait before asking again; absent once Kafka Streams has stopped")
                        .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).minimum(java.math.BigDecimal.ONE));
                responses.addAPIResponse("503", OASFactory.createAPIResponse()
                        .description("no instance can answer now: starting, rebalancing or restoring (retry after"
                                + " Retry-After), or Kafka Streams has stopped")
                        .addHeader("Retry-After", retryAfter));
            }
            responses.getAPIResponses().forEach((code, response) -> {
                if (!code.startsWith("2") && response.getContent() == null && response.getRef() == null) {
                    response.setContent(errorBody());
                }
            });
        }
    }

    private static Content errorBody() {
        MediaType json = OASFactory.createMediaType().schema(OASFactory.createSchema().ref(API_ERROR));
        return OASFactory.createContent().addMediaType(JSON, json);
    }
}
