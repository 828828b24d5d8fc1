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
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0 || !allOf(authority.substring(1, close), "0123456789abcdefABCDEF:.vV")) {
                return false;
            }
            port = authority.substring(close + 1);
        } else {
            int colon = authority.indexOf(':');
            String name = colon < 0 ? authority : authority.substring(0, colon);
            if (!regName(name)) {
                return false;
            }
            port = colon < 0 ? "" : authority.substring(colon);
        }
        if (port.isEmpty()) {
            return true;
        }
        String digits = port.substring(1);
        return port.charAt(0) == ':' && digits.length() <= 5 && allOf(digits, "0123456789")
                && (digits.isEmpty() || Integer.parseInt(digits) <= 65535);
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

    private static boolean regName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "-._~!$&'()*+,;=%".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean allOf(String s, String allowed) {
        for (int i = 0; i < s.length(); i++) {
            if (allowed.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }
}
