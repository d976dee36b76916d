package dev.streamtemplate.enrichment;

import dev.streamtemplate.schemas.CustomerTier;
import dev.streamtemplate.schemas.UserProfile;
import java.time.Instant;
import java.util.Map;

/**
 * One customer's profile with their purchase statistics, on the compacted topic
 * {@code customer-360} and in store {@code customer-360-store}, keyed by user id. It exists while
 * the user has a live profile; a deleted user's row is deleted (a tombstone on the topic).
 *
 * @param userId         the user
 * @param name           display name
 * @param email          e-mail address
 * @param tier           loyalty tier
 * @param country        ISO-3166-1 alpha-2 country code
 * @param purchases      purchase events of the user id, lifetime (also those before a delete)
 * @param spendCents     total spent per ISO-4217 currency, in minor units
 * @param lastPurchaseAt latest purchase time (event time), {@code null} before the first purchase
 */
public record Customer360(String userId, String name, String email, CustomerTier tier, String country,
                          long purchases, Map<String, Long> spendCents, Instant lastPurchaseAt) {

    /**
     * The row of a live profile: the joiner of the users table left-joined with the statistics.
     *
     * @param profile the live profile, never {@code null} (a left join from users)
     * @param stats   the user's statistics, or {@code null} before their first purchase
     */
    public static Customer360 of(UserProfile profile, PurchaseStats stats) {
        PurchaseStats s = stats == null ? PurchaseStats.none() : stats;
        return new Customer360(profile.userId(), profile.name(), profile.email(), profile.tier(), profile.country(),
                s.purchases(), s.spendCents(), s.lastPurchaseAt());
    }
}
