package dev.baton.proxy.internal;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The X-Forwarded-* headers of a request forwarded to a worker. Call after {@link HopByHop#strip}.
 *
 * <ul>
 *   <li>X-Forwarded-For: the client address appended to the received value when the client is a trusted proxy,
 *       otherwise the client address alone (a client's own value is dropped).</li>
 *   <li>X-Forwarded-Proto: kept when a trusted client sent it, otherwise {@code scheme}.</li>
 *   <li>X-Forwarded-Host: kept when a trusted client sent it, otherwise the request's Host (removed when there is
 *       no Host). Host itself is never changed.</li>
 *   <li>From an untrusted client, the other forwarding headers a worker might believe are removed: Forwarded,
 *       X-Forwarded-Port, -Prefix, -Protocol, -Ssl, -Scheme and X-Real-IP. Gunicorn, for one, trusts
 *       X-Forwarded-Ssl and X-Forwarded-Protocol from 127.0.0.1 by default, i.e. from this proxy.</li>
 *   <li>From any client, underscore spellings of all these names (X_Forwarded_For) are removed: WSGI and CGI map
 *       '-' and '_' to the same variable, so they could override the proxy's value.</li>
 * </ul>
 *
 * <p>Client addresses are written without port, IPv6 in RFC 5952 form without brackets. A unix-socket client is
 * written as {@code unix} and is trusted only when {@code unix} is in the trusted list: a local socket says nothing
 * about who is on the other side of it. Any other address type is written as {@code unknown} and not trusted.
 */
public final class Forwarding {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");

    private static final List<AsciiString> SPOOFABLE = Stream.of("forwarded", "x-forwarded-port",
            "x-forwarded-prefix", "x-forwarded-protocol", "x-forwarded-ssl", "x-forwarded-scheme", "x-real-ip")
            .map(AsciiString::cached).toList();

    private static final Set<String> ALL_NAMES = Set.of("forwarded", "x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-host", "x-forwarded-port", "x-forwarded-prefix", "x-forwarded-protocol",
            "x-forwarded-ssl", "x-forwarded-scheme", "x-real-ip");

    private Forwarding() {
    }

    /** Sets the forwarding headers of {@code h}; see the class comment. */
    public static void apply(HttpHeaders h, SocketAddress client, String scheme, TrustedProxies trusted) {
        boolean trustedClient = trusted.trusts(client);
        removeUnderscoreSpellings(h);
        String address = clientAddress(client);
        List<String> chain = trustedClient ? h.getAll(X_FORWARDED_FOR) : List.of();
        if (!chain.isEmpty()) {
            h.set(X_FORWARDED_FOR, String.join(", ", chain) + ", " + address);
        } else {
            h.set(X_FORWARDED_FOR, address);
        }
        if (!trustedClient || !h.contains(X_FORWARDED_PROTO)) {
            h.set(X_FORWARDED_PROTO, scheme);
        }
        if (!trustedClient || !h.contains(X_FORWARDED_HOST)) {
            String host = h.get(HttpHeaderNames.HOST);
            if (host == null) {
                h.remove(X_FORWARDED_HOST);
            } else {
                h.set(X_FORWARDED_HOST, host);
            }
        }
        if (!trustedClient) {
            SPOOFABLE.forEach(h::remove);
        }
    }

    /** The client as written into X-Forwarded-For. */
    static String clientAddress(SocketAddress client) {
        if (client instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? NetUtil.toAddressString(inet.getAddress()) : inet.getHostString();
        }
        return client instanceof DomainSocketAddress ? "unix" : "unknown";
    }

    private static void removeUnderscoreSpellings(HttpHeaders h) {
        List<String> doomed = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (AsciiString.indexOf(name, '_', 0) >= 0) {
                String spelled = name.toString();
                if (ALL_NAMES.contains(spelled.replace('_', '-').toLowerCase(Locale.ROOT))) {
                    if (doomed == null) {
                        doomed = new ArrayList<>();
                    }
                    doomed.add(spelled);
                }
            }
        }
        if (doomed != null) {
            doomed.forEach(h::remove);
        }
    }
}
