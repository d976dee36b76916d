package dev.streamtemplate.live;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which callback URLs webhooks may call: absolute {@code http} or {@code https} URLs without user info whose host
 * resolves only to public addresses. Loopback, private (RFC 1918, RFC 4193), link-local (cloud metadata at
 * 169.254.169.254), shared (RFC 6598), unspecified, multicast and reserved addresses are refused, and so are IPv6
 * addresses that carry such an IPv4 address (mapped, compatible, NAT64, 6to4), against server-side request forgery
 * (OWASP SSRF Prevention Cheat Sheet), unless {@link WebhookSettings#allowPrivateAddresses()}.
 * Checked when a subscription is made and again before every attempt, since DNS answers change; redirects are never
 * followed.
 */
public class CallbackAddresses {

    /** A callback URL that is malformed or points where webhooks may not go; its message says why. */
    public static class RefusedCallbackException extends Exception {
        RefusedCallbackException(String message) {
            super(message);
        }
    }

    /** A callback whose host does not resolve now: refused at subscription, retried at delivery (DNS may recover). */
    public static class UnresolvedCallbackException extends RefusedCallbackException {
        UnresolvedCallbackException(String message) {
            super(message);
        }
    }

    private final boolean allowPrivate;

    /** @param allowPrivate whether non-public addresses are allowed (tests, local stacks) */
    public CallbackAddresses(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /**
     * @param url the callback URL as given
     * @return it as a URI
     * @throws RefusedCallbackException if it is not an absolute http(s) URL with a host, has user info, its host does
     *                                  not resolve, or it resolves to an address that is not public
     */
    public URI check(String url) throws RefusedCallbackException {
        if (url == null || url.isBlank()) {
            throw new RefusedCallbackException("'url' is required");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new RefusedCallbackException("'url' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RefusedCallbackException("'url' must be an absolute http or https URL, got '" + url + "'");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new RefusedCallbackException("'url' has no host: '" + url + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new RefusedCallbackException("'url' must not carry user info");
        }
        checkAddresses(uri);
        return uri;
    }

    /**
     * @param uri a callback that passed {@link #check(String)}
     * @throws RefusedCallbackException if its host no longer resolves, or now resolves to an address that is not
     *                                  public
     */
    public void checkAddresses(URI uri) throws RefusedCallbackException {
        if (allowPrivate) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw new UnresolvedCallbackException("the callback's host '" + uri.getHost() + "' does not resolve");
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                throw new RefusedCallbackException("the callback's host '" + uri.getHost() + "' resolves to "
                        + address.getHostAddress() + ", which is not a public address (server-side request forgery guard)");
            }
        }
    }

    /** @return whether this address is one a webhook may call without {@code allowPrivateAddresses} */
    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first != 0                                   // "this network", RFC 1122
                    && !(first == 100 && second >= 64 && second <= 127) // shared address space, RFC 6598
                    && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments, RFC 6890
                    && !(first == 198 && (second == 18 || second == 19))    // benchmarking, RFC 2544
                    && first < 240;                             // reserved and broadcast, RFC 1112
        }
        if (address instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) {
                return false; // unique local, RFC 4193
            }
            if (startsWith(b, 0x20, 0x01, 0x0d, 0xb8) || startsWith(b, 0x20, 0x01, 0x00, 0x00)
                    || startsWith(b, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00)) {
                return false; // documentation (RFC 3849), Teredo (RFC 4380), discard-only (RFC 6666)
            }
            // IPv4 inside IPv6: IPv4-compatible ::a.b.c.d and IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96
            // (RFC 6052), 6to4 2002:a.b.c.d::/48 (RFC 3056): the IPv4 address they reach must be public too
            boolean zeros80 = startsWith(b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            if (zeros80 && ((b[10] == 0 && b[11] == 0) || ((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff))
                    || startsWith(b, 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0)) {
                return isPublic(ipv4(b[12], b[13], b[14], b[15]));
            }
            if (startsWith(b, 0x20, 0x02)) {
                return isPublic(ipv4(b[2], b[3], b[4], b[5]));
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] address, int... prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if ((address[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress ipv4(byte a, byte b, byte c, byte d) {
        try {
            return InetAddress.getByAddress(new byte[] {a, b, c, d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }
}
