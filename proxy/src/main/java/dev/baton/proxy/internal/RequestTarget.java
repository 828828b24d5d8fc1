package dev.baton.proxy.internal;

import io.netty.handler.codec.http.HttpMethod;

import java.util.Locale;
import java.util.Optional;

/**
 * A request target in one of the forms a reverse proxy serves (RFC 9112 section 3.2), as the worker gets it:
 * origin-form ({@code /path?query}) as it is; absolute-form ({@code http://host:8000/path?query}) turned into
 * origin-form, its authority replacing {@code Host} (section 3.2.2: a server ignores Host then, so the worker must
 * see one host, not two); asterisk-form ({@code *}) for OPTIONS only. CONNECT's authority-form is not served.
 *
 * @param forward   the target in origin-form (or {@code *})
 * @param authority the host from an absolute-form target, which becomes the forwarded {@code Host}
 */
record RequestTarget(String forward, Optional<String> authority) {

    /** A short reason when {@code uri} is in no form Baton serves for {@code method}; empty when it is. */
    static Optional<String> problem(HttpMethod method, String uri) {
        if (uri.startsWith("/") || uri.equals("*") && method.equals(HttpMethod.OPTIONS)) {
            return Optional.empty();
        }
        int authority = authorityStart(uri);
        if (authority > 0) {
            String host = uri.substring(authority, authorityEnd(uri, authority));
            return host.isEmpty() || !validAuthority(host)
                    ? Optional.of("request target \"" + RequestChecks.printable(uri) + "\" has no valid host")
                    : Optional.empty();
        }
        return Optional.of("request target \"" + RequestChecks.printable(uri)
                + "\" is not /path, http://host/path or * (RFC 9112 section 3.2)");
    }

    /** The target of a request whose {@link #problem} is empty. */
    static RequestTarget of(String uri) {
        if (uri.startsWith("/")) {
            return new RequestTarget(uri, Optional.empty()); // origin-form, nearly every request: no parsing
        }
        int authority = authorityStart(uri);
        if (authority <= 0) {
            return new RequestTarget(uri, Optional.empty());
        }
        int end = authorityEnd(uri, authority);
        String rest = uri.substring(end);
        return new RequestTarget(rest.startsWith("/") ? rest : "/" + rest,
                Optional.of(uri.substring(authority, end)));
    }

    /**
     * True for {@code host[:port]} (RFC 3986 section 3.2.2): a reg-name of unreserved, sub-delims and
     * percent-encoded characters, or an IP literal in brackets; a port of at most 5 digits up to 65535.
     */
    static boolean validAuthority(String authority) {
        int end = authority.length();
        int i = 0;
        if (end > 0 && authority.charAt(0) == '[') {
            int close = authority.indexOf(']');
            if (close < 0 || !allOf(authority, 1, close, "0123456789abcdefABCDEF:.vV")) {
                return false;
            }
            i = close + 1;
        } else {
            while (i < end && regNameChar(authority.charAt(i))) {
                i++;
            }
        }
        if (i == end) {
            return true;
        }
        if (authority.charAt(i) != ':' || end - i - 1 > 5 || !allOf(authority, i + 1, end, "0123456789")) {
            return false; // a port is ":" and at most 5 digits
        }
        int port = 0;
        for (int j = i + 1; j < end; j++) {
            port = port * 10 + authority.charAt(j) - '0';
        }
        return port <= 65535;
    }

    /** Index of the authority in an {@code http://} or {@code https://} target, else -1. */
    private static int authorityStart(String uri) {
        String lower = uri.length() > 8 ? uri.substring(0, 8).toLowerCase(Locale.ROOT) : uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://")) {
            return 7;
        }
        return lower.startsWith("https://") ? 8 : -1;
    }

    private static int authorityEnd(String uri, int start) {
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        return end;
    }

    /** Unreserved, sub-delims or "%" (RFC 3986 section 3.2.2's reg-name, percent-encoding not checked further). */
    private static boolean regNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || "-._~!$&'()*+,;=%".indexOf(c) >= 0;
    }

    private static boolean allOf(String s, int from, int to, String allowed) {
        for (int i = from; i < to; i++) {
            if (allowed.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }
}
