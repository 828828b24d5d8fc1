package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void plainAddressesAreSingleHosts() {
        TrustedProxies t = TrustedProxies.parse(List.of("10.0.0.1", "::1"));
        assertTrue(t.contains(ip("10.0.0.1")));
        assertFalse(t.contains(ip("10.0.0.2")));
        assertTrue(t.contains(ip("::1")));
        assertFalse(t.contains(ip("::2")));
    }

    @Test
    void ipv4CidrBlocksMatchTheirRange() {
        TrustedProxies t = TrustedProxies.parse(List.of("192.168.4.0/22", " 172.16.0.0/12 "));
        assertTrue(t.contains(ip("192.168.4.0")));
        assertTrue(t.contains(ip("192.168.7.255")));
        assertFalse(t.contains(ip("192.168.8.0")));
        assertFalse(t.contains(ip("192.168.3.255")));
        assertTrue(t.contains(ip("172.31.255.255")));
        assertFalse(t.contains(ip("172.32.0.0")));
    }

    @Test
    void ipv6CidrBlocksMatchTheirRange() {
        TrustedProxies t = TrustedProxies.parse(List.of("2001:db8:abcd:12::/63"));
        assertTrue(t.contains(ip("2001:db8:abcd:12::1")));
        assertTrue(t.contains(ip("2001:db8:abcd:13:ffff::")));
        assertFalse(t.contains(ip("2001:db8:abcd:14::")));
        assertFalse(t.contains(ip("10.0.0.1")));
    }

    @Test
    void hostBitsUnderThePrefixAreIgnored() {
        TrustedProxies t = TrustedProxies.parse(List.of("10.1.2.3/8"));
        assertTrue(t.contains(ip("10.200.0.1")));
    }

    @Test
    void zeroPrefixMatchesTheWholeFamily() {
        TrustedProxies t = TrustedProxies.parse(List.of("0.0.0.0/0"));
        assertTrue(t.contains(ip("203.0.113.9")));
        assertFalse(t.contains(ip("2001:db8::1")));
    }

    @Test
    void ipv4MappedIpv6IsTheIpv4Address() {
        TrustedProxies t = TrustedProxies.parse(List.of("::ffff:10.0.0.0/104"));
        assertTrue(t.contains(ip("10.9.9.9")));
        assertTrue(TrustedProxies.parse(List.of("10.0.0.1")).contains(ip("::ffff:10.0.0.1")));
    }

    @Test
    void unixClientsAreTrustedOnlyWhenListed() {
        DomainSocketAddress unixClient = new DomainSocketAddress("/run/baton.sock");
        assertFalse(TrustedProxies.parse(List.of("127.0.0.1")).trusts(unixClient));
        assertTrue(TrustedProxies.parse(List.of("unix")).trusts(unixClient));
        assertTrue(TrustedProxies.parse(List.of("127.0.0.1")).trusts(new InetSocketAddress(ip("127.0.0.1"), 80)));
        assertFalse(TrustedProxies.NONE.trusts(new InetSocketAddress(ip("127.0.0.1"), 80)));
    }

    @Test
    void everyBadEntryIsNamedInOneError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrustedProxies.parse(List.of("10.0.0.0/8", "proxy.example", "10.0.0.0/33", "::/129",
                        "1.2.3.4/", "1.2.3.4/-1", "")));
        String m = e.getMessage();
        assertTrue(m.startsWith("trusted proxies: "), m);
        assertTrue(m.contains("\"proxy.example\": not an IP address"), m);
        assertTrue(m.contains("\"10.0.0.0/33\": prefix length must be 0 to 32"), m);
        assertTrue(m.contains("\"::/129\": prefix length must be 0 to 128"), m);
        assertTrue(m.contains("\"1.2.3.4/\""), m);
        assertTrue(m.contains("\"1.2.3.4/-1\""), m);
        assertTrue(m.contains("\"\": not an IP address"), m);
    }
}
