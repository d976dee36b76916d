package dev.streamtemplate.schemas;

/**
 * A customer profile row, as captured from the users table of the shop's database. Appears as
 * {@code before} and {@code after} images in a {@link UserChange}.
 *
 * <p>Schema: {@code schemas/user-change.schema.json} ({@code $defs/UserProfile}).
 *
 * @param userId  primary key
 * @param name    display name
 * @param email   e-mail address
 * @param tier    loyalty tier
 * @param country ISO-3166-1 alpha-2 country code, for example {@code DE}
 */
public record UserProfile(String userId, String name, String email, CustomerTier tier, String country) {

    public UserProfile {
        ContractViolation.requiredText(userId, "userId");
        ContractViolation.required(name, "name");
        ContractViolation.required(email, "email");
        ContractViolation.required(tier, "tier");
        ContractViolation.requiredText(country, "country");
    }
}
