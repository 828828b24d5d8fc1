package dev.baton.proxy.internal;

import io.netty.util.AsciiString;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Hop-by-hop header handling for a message the proxy forwards (RFC 9110 section 7.6.1).
 *
 * <p>{@link #strip(HttpHeaders)} removes every field named by a Connection option and then Connection itself,
 * plus the fields section 7.6.1 lists as needing removal whether or not Connection names them: Proxy-Connection,
 * Keep-Alive, TE, Transfer-Encoding and Upgrade. Proxy-Authenticate and Proxy-Authorization are not in that list
 * and are left alone. Two names are never removed because a Connection option names them: Host and
 * Content-Length. A client that lists them ("Connection: close, Content-Length") would otherwise make the proxy
 * forward a body with no framing, which the worker reads as the next request, or a request without Host.
 *
 * <p>Order and framing: call {@code strip} before {@link Forwarding#apply} (a client could otherwise list
 * X-Forwarded-For in Connection to delete the proxy's own value), and set the framing of the forwarded message
 * afterwards: Transfer-Encoding is gone, so a relayed chunked body needs {@code Transfer-Encoding: chunked} again
 * (Netty's encoder decides chunking from that header).
 */
public final class HopByHop {

    /** RFC 9110 section 7.6.1, the fields removed whether or not Connection names them. */
    private static final List<CharSequence> ALWAYS = List.of(
            HttpHeaderNames.CONNECTION,
            AsciiString.cached("proxy-connection"),
            AsciiString.cached("keep-alive"),
            HttpHeaderNames.TE,
            HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE);

    private static final Set<String> NEVER_BY_OPTION = Set.of("host", "content-length");

    private HopByHop() {
    }

    /** Removes the hop-by-hop fields of {@code h} (RFC 9110 section 7.6.1); see the class comment. */
    public static void strip(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            for (String option : tokens(h, HttpHeaderNames.CONNECTION)) {
                if (!NEVER_BY_OPTION.contains(option)) {
                    h.remove(option);
                }
            }
        }
        for (CharSequence name : ALWAYS) {
            h.remove(name);
        }
    }

    /**
     * Like {@link #strip} for the WebSocket path (requests where {@link #isUpgrade} holds, and the 101 response),
     * but forwards {@code Connection: upgrade} and the original Upgrade value (RFC 9110 section 7.8).
     */
    public static void stripForUpgrade(HttpHeaders h) {
        List<String> upgrade = h.getAll(HttpHeaderNames.UPGRADE);
        strip(h);
        if (!upgrade.isEmpty()) {
            h.set(HttpHeaderNames.UPGRADE, String.join(", ", upgrade));
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
    }

    /**
     * True for a WebSocket opening handshake: an HTTP/1.1 (or later 1.x) GET whose Connection options include
     * "upgrade" and whose Upgrade protocols include "websocket", tokens compared case-insensitively. An HTTP/1.0
     * request's Upgrade is ignored (RFC 9110 section 7.8); RFC 6455 section 4.1 requires GET.
     */
    public static boolean isUpgrade(HttpRequest request) {
        HttpVersion v = request.protocolVersion();
        if (v.majorVersion() != 1 || v.minorVersion() < 1 || !HttpMethod.GET.equals(request.method())) {
            return false;
        }
        HttpHeaders h = request.headers();
        if (!h.contains(HttpHeaderNames.UPGRADE) || !tokens(h, HttpHeaderNames.CONNECTION).contains("upgrade")) {
            return false;
        }
        for (String protocol : tokens(h, HttpHeaderNames.UPGRADE)) {
            int slash = protocol.indexOf('/');
            if ((slash < 0 ? protocol : protocol.substring(0, slash)).equals("websocket")) {
                return true;
            }
        }
        return false;
    }

    /** The comma-separated tokens of every {@code name} line, trimmed of OWS, lower-cased, empty ones dropped. */
    static List<String> tokens(HttpHeaders h, CharSequence name) {
        List<String> out = new ArrayList<>();
        for (String line : h.getAll(name)) {
            for (String part : line.split(",")) {
                String token = part.strip();
                if (!token.isEmpty()) {
                    out.add(token.toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }
}
