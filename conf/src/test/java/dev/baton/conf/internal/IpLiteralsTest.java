package dev.baton.conf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IpLiteralsTest {

    @Test
    void ipv4IsFourDecimalOctets() {
        for (String good : List.of("0.0.0.0", "127.0.0.1", "255.255.255.255", "10.1.20.100")) {
            assertTrue(IpLiterals.isIpv4(good), good);
        }
        for (String bad : List.of("", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.", "a.b.c.d", "1..2.3",
                "-1.2.3.4", "1.2.3.4 ")) {
            assertFalse(IpLiterals.isIpv4(bad), bad);
        }
    }

    @Test
    void ipv6AcceptsEveryRfc4291TextForm() {
        for (String good : List.of("::", "::1", "1::", "fe80::1", "2001:db8::8a2e:370:7334",
                "2001:0db8:0000:0000:0000:ff00:0042:8329", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "FE80::ABCD",
                "::ffff:10.0.0.1", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4")) {
            assertTrue(IpLiterals.isIpv6(good), good);
        }
    }

    @Test
    void ipv6RejectsMalformedText() {
        for (String bad : List.of("", "1", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::",
                "g::1", "::1:", ":1::", "1:2:3:4:5:6:7:8::", "::ffff:300.0.0.1", ":1.2.3.4",
                "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "10.0.0.1")) {
            assertFalse(IpLiterals.isIpv6(bad), bad);
        }
    }

    @Test
    void cidrBlocksNeedAValidPrefixLength() {
        for (String good : List.of("10.0.0.0/8", "0.0.0.0/0", "192.168.1.1/32", "10.0.0.1/8", "::1", "::/0",
                "fd00::/8", "2001:db8::/128", "127.0.0.1")) {
            assertEquals(Optional.empty(), IpLiterals.cidrProblem(good), good);
        }
        assertEquals(Optional.of("prefix length must be 0..32 for an IPv4 address, found \"10.0.0.0/33\""),
                IpLiterals.cidrProblem("10.0.0.0/33"));
        assertEquals(Optional.of("prefix length must be 0..128 for an IPv6 address, found \"::/129\""),
                IpLiterals.cidrProblem("::/129"));
        assertEquals(Optional.of("prefix length must be 0..32 for an IPv4 address, found \"10.0.0.0/\""),
                IpLiterals.cidrProblem("10.0.0.0/"));
        assertEquals(Optional.of("prefix length must be 0..32 for an IPv4 address, found \"10.0.0.0/8/8\""),
                IpLiterals.cidrProblem("10.0.0.0/8/8"));
        for (String bad : List.of("", "localhost", "10.0.0", "/8", "10.0.0.0 /8", "*")) {
            assertEquals(Optional.of("expected an IP address or CIDR block such as \"10.0.0.0/8\" or \"::1\", "
                    + "found \"" + bad + "\""), IpLiterals.cidrProblem(bad), bad);
        }
    }
}
