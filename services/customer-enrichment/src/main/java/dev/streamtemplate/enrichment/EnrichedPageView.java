package dev.streamtemplate.enrichment;

import dev.streamtemplate.schemas.CustomerTier;
import dev.streamtemplate.schemas.PageView;
import dev.streamtemplate.schemas.Product;
import dev.streamtemplate.schemas.UserProfile;

/**
 * A page view with the viewer's profile and, on a product page, the product, on
 * {@code enriched-page-views}, keyed by user id. Profile and product are those in the tables when
 * the view was processed (a stream-table join looks up the current table row, it does not go back
 * in time). A view of an unknown or deleted user is emitted too, with {@code userKnown} false.
 *
 * @param view              the page view as read from {@code page-views}
 * @param userKnown         whether the user had a live profile when the view was processed
 * @param tier              the user's loyalty tier, or {@code null} when the user is unknown
 * @param country           the user's country (ISO-3166-1 alpha-2), or {@code null} when unknown
 * @param productName       the product's name on a product page, otherwise {@code null}
 * @param productCategory   the product's category, or {@code null}
 * @param productPriceCents the product's unit price in minor units of {@code productCurrency}, or {@code null}
 * @param productCurrency   ISO-4217 code of the price, or {@code null}
 */
public record EnrichedPageView(PageView view, boolean userKnown, CustomerTier tier, String country,
                               String productName, String productCategory, Long productPriceCents,
                               String productCurrency) {

    /** The view with the profile ({@code null}: unknown user) and without product. */
    public static EnrichedPageView of(PageView view, UserProfile profile) {
        return profile == null
                ? new EnrichedPageView(view, false, null, null, null, null, null, null)
                : new EnrichedPageView(view, true, profile.tier(), profile.country(), null, null, null, null);
    }

    /** This view with the product's fields ({@code null}: unknown product, fields stay {@code null}). */
    public EnrichedPageView withProduct(Product product) {
        return product == null ? this : new EnrichedPageView(view, userKnown, tier, country,
                product.name(), product.category(), product.priceCents(), product.currency());
    }
}
