package dev.streamtemplate.live;

import java.net.URI;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code /webhooks}: register, list and remove webhook subscriptions ({@link WebhookSubscriptions}); what is
 * delivered and how is {@link WebhookDelivery}'s. Errors are JSON ({@code ApiError}): 400 for a bad body or a refused
 * callback URL, 404 for an unknown id, 503 if the broker does not take a change.
 */
@Path("/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    private final WebhookSubscriptions subscriptions;

    WebhookResource(WebhookSubscriptions subscriptions) {
        this.subscriptions = subscriptions;
    }

    /**
     * @param request the callback URL, event types and optional secret
     * @return 201 with the subscription, its secret included (shown only here), and its {@code Location}
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Register a callback URL for event types; the answer shows the signing secret once")
    public Response create(SubscriptionRequest request) {
        Subscription created = subscriptions.create(request);
        return Response.created(URI.create("/webhooks/" + created.id())).entity(created).build();
    }

    /** @return every subscription, without secrets, oldest first */
    @GET
    @Operation(summary = "List the webhook subscriptions (without secrets)")
    public List<Subscription> list() {
        return subscriptions.list();
    }

    /**
     * @param id a subscription id
     * @return it, without its secret
     * @throws NotFoundException (404) if there is none with this id
     */
    @GET
    @Path("/{id}")
    @Operation(summary = "One webhook subscription (without its secret)")
    public Subscription get(@PathParam("id") String id) {
        return subscriptions.find(id).orElseThrow(() -> new NotFoundException("no webhook subscription '" + id + "'"));
    }

    /**
     * @param id a subscription id
     * @return 204 once removed
     * @throws NotFoundException (404) if there is none with this id
     */
    @DELETE
    @Path("/{id}")
    @Operation(summary = "Remove a webhook subscription")
    public Response delete(@PathParam("id") String id) {
        if (!subscriptions.delete(id)) {
            throw new NotFoundException("no webhook subscription '" + id + "'");
        }
        return Response.noContent().build();
    }
}
