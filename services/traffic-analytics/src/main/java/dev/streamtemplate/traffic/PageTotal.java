package dev.streamtemplate.traffic;

/**
 * Page views of one page summed over a time range, in {@code GET /top-pages}.
 *
 * @param page  the page path
 * @param views page views in the range's one-minute windows
 */
public record PageTotal(String page, long views) {
}
