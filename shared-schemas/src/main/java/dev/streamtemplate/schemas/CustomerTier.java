package dev.streamtemplate.schemas;

/** Loyalty tier of a customer. */
public enum CustomerTier {
    BRONZE, SILVER, GOLD
}
