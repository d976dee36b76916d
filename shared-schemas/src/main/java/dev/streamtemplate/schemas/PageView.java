package dev.streamtemplate.schemas;

import java.time.Instant;

/**
 * A page view on topic {@code page-views}, keyed by {@code userId}.
 *
 * <p>Schema: {@code schemas/page-view.schema.json}.
 *
 * @param eventId   unique id of this view (a UUID string); stable across producer retries
 * @param userId    the viewing user; also the record key
 * @param page      the page path, for example {@code /home} or {@code /products/p-0042}
 * @param productId the product shown when {@code page} is a product page, otherwise {@code null}
 * @param referrer  where the user came from ({@code search}, {@code email}, {@code /home}, ...), or {@code null}
 * @param timestamp when the page was viewed (ISO-8601 instant, event time)
 */
public record PageView(String eventId, String userId, String page, String productId, String referrer,
                       Instant timestamp) implements Event {

    /** Path prefix of product pages; the rest of the path is the product id. */
    public static final String PRODUCT_PAGE_PREFIX = "/products/";

    public PageView {
        ContractViolation.requiredText(eventId, "eventId");
        ContractViolation.requiredText(userId, "userId");
        ContractViolation.requiredText(page, "page");
        ContractViolation.eventTime(timestamp, "timestamp");
    }

    @Override
    public Instant eventTime() {
        return timestamp;
    }
}
