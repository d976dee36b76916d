package dev.streamtemplate.cart;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The settings of shopping-cart, from {@code application.properties} under {@code cart.*}
 * (environment variables {@code CART_DEDUP_RETENTION}, {@code CART_PRICE_HISTORY_RETENTION}).
 * Durations are ISO-8601 ({@code PT24H}) or Quarkus' short form ({@code 24h}, {@code 7d}).
 */
@ConfigMapping(prefix = "cart")
public interface CartSettings {

    /**
     * How long, in stream time, the event id of a processed cart command is remembered, so that a
     * second delivery of it is recognised and ignored. A command is remembered while its event time is
     * at least this much after the stream time of its partition (the largest event time seen on it); a
     * command older than that on arrival is rejected as {@code TOO_LATE} instead of being applied
     * without protection. Choose it above the longest delay between two deliveries of a command plus
     * the largest out-of-orderness of the input. The store keeps ids up to 1.5 times as long (window
     * store segments expire whole), so it holds about the ids of that many hours of commands.
     */
    @WithDefault("24h")
    Duration dedupRetention();

    /**
     * How long past catalogue versions of a product stay available to price an {@code ADD_ITEM} by
     * its event time (the history retention of the versioned global store). A product's latest version
     * never expires. Keep it at least as long as {@code cart-events} keeps commands (its
     * {@code retention.ms}, 7 days by default): a rebuild from the log prices old commands with it.
     */
    @WithDefault("7d")
    Duration priceHistoryRetention();
}
