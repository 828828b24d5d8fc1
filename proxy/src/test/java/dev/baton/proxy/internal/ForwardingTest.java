package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingTest {

    private static final TrustedProxies TRUSTED = TrustedProxies.parse(List.of("10.0.0.0/8"));

    private static SocketAddress client(String literal) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), 51000);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static HttpHeaders spoofed() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Host", "app.example");
        h.add("X-Forwarded-For", "1.1.1.1");
        h.add("X-Forwarded-For", "2.2.2.2");
        h.add("X-Forwarded-Proto", "https");
        h.add("X-Forwarded-Host", "other.example");
        return h;
    }

    @Test
    void untrustedClientReplacesEveryForwardedValue() {
        HttpHeaders h = spoofed();
        Forwarding.apply(h, client("203.0.113.7"), "http", TRUSTED);
        assertEquals(List.of("203.0.113.7"), h.getAll("X-Forwarded-For"));
        assertEquals("http", h.get("X-Forwarded-Proto"));
        assertEquals("app.example", h.get("X-Forwarded-Host"));
        assertEquals("app.example", h.get("Host"));
    }

    @Test
    void trustedProxyClientIsAppendedAndItsProtoAndHostKept() {
        HttpHeaders h = spoofed();
        Forwarding.apply(h, client("10.1.2.3"), "http", TRUSTED);
        assertEquals(List.of("1.1.1.1, 2.2.2.2, 10.1.2.3"), h.getAll("X-Forwarded-For"));
        assertEquals("https", h.get("X-Forwarded-Proto"));
        assertEquals("other.example", h.get("X-Forwarded-Host"));
        assertEquals("app.example", h.get("Host"));
    }

    @Test
    void trustedProxyWithoutHeadersGetsOurs() {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "app.example");
        Forwarding.apply(h, client("10.1.2.3"), "https", TRUSTED);
        assertEquals("10.1.2.3", h.get("X-Forwarded-For"));
        assertEquals("https", h.get("X-Forwarded-Proto"));
        assertEquals("app.example", h.get("X-Forwarded-Host"));
    }

    @Test
    void missingHostLeavesNoForwardedHost() {
        HttpHeaders h = new DefaultHttpHeaders().add("X-Forwarded-Host", "evil.example");
        Forwarding.apply(h, client("203.0.113.7"), "http", TRUSTED);
        assertFalse(h.contains("X-Forwarded-Host"));
    }

    @Test
    void ipv6ClientIsWrittenCompressedWithoutBrackets() {
        HttpHeaders h = new DefaultHttpHeaders();
        Forwarding.apply(h, client("2001:db8:0:0:0:0:0:1"), "http", TRUSTED);
        assertEquals("2001:db8::1", h.get("X-Forwarded-For"));
    }

    @Test
    void unixClientIsWrittenAsUnixAndTrustedOnlyWhenListed() {
        DomainSocketAddress unixClient = new DomainSocketAddress("/run/front.sock");
        HttpHeaders h = spoofed();
        Forwarding.apply(h, unixClient, "http", TRUSTED);
        assertEquals("unix", h.get("X-Forwarded-For"));
        assertEquals("http", h.get("X-Forwarded-Proto"));

        HttpHeaders t = spoofed();
        Forwarding.apply(t, unixClient, "http", TrustedProxies.parse(List.of("unix")));
        assertEquals("1.1.1.1, 2.2.2.2, unix", t.get("X-Forwarded-For"));
        assertEquals("https", t.get("X-Forwarded-Proto"));
    }

    @Test
    void untrustedClientCannotSendOtherForwardingHeaders() {
        HttpHeaders h = new DefaultHttpHeaders().add("Forwarded", "for=1.1.1.1;proto=https")
                .add("X-Forwarded-Ssl", "on").add("X-Forwarded-Protocol", "ssl").add("X-Forwarded-Port", "443")
                .add("X-Forwarded-Prefix", "/admin").add("X-Forwarded-Scheme", "https").add("X-Real-IP", "1.1.1.1")
                .add("X-Other", "kept");
        Forwarding.apply(h, client("203.0.113.7"), "http", TRUSTED);
        assertEquals(List.of("X-Other", "X-Forwarded-For", "X-Forwarded-Proto"), List.copyOf(h.names()));
    }

    @Test
    void trustedClientKeepsOtherForwardingHeaders() {
        HttpHeaders h = new DefaultHttpHeaders().add("X-Forwarded-Ssl", "on").add("Forwarded", "for=1.1.1.1");
        Forwarding.apply(h, client("10.0.0.5"), "http", TRUSTED);
        assertEquals("on", h.get("X-Forwarded-Ssl"));
        assertEquals("for=1.1.1.1", h.get("Forwarded"));
    }

    @Test
    void underscoreSpellingsAreRemovedEvenFromTrustedClients() {
        HttpHeaders h = new DefaultHttpHeaders().add("X_Forwarded_For", "1.1.1.1").add("x_forwarded-proto", "https")
                .add("X_Custom", "kept");
        Forwarding.apply(h, client("10.0.0.5"), "http", TRUSTED);
        assertNull(h.get("X_Forwarded_For"));
        assertNull(h.get("x_forwarded-proto"));
        assertEquals("kept", h.get("X_Custom"));
        assertEquals("10.0.0.5", h.get("X-Forwarded-For"));
    }
}
