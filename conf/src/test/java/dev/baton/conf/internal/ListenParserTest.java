package dev.baton.conf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.conf.ListenAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ListenParserTest {

    private static final Path BASE = Path.of("/etc/baton");

    private static ListenAddress parse(String text) {
        return ListenParser.parse(text, BASE);
    }

    private static String problem(String text) {
        return assertThrows(IllegalArgumentException.class, () -> parse(text)).getMessage();
    }

    @Test
    void tcpFormsParseIntoHostAndPort() {
        assertEquals(new ListenAddress("127.0.0.1", 8000, Optional.empty()), parse("127.0.0.1:8000"));
        assertEquals(ListenAddress.tcp("0.0.0.0", 80), parse("0.0.0.0:80"));
        assertEquals(ListenAddress.tcp("localhost", 8000), parse("localhost:8000"));
        assertEquals(ListenAddress.tcp("web-1.internal.example.com", 443), parse("web-1.internal.example.com:443"));
        assertEquals(ListenAddress.tcp("::1", 8000), parse("[::1]:8000"));
        assertEquals(ListenAddress.tcp("::", 8000), parse("[::]:8000"));
        assertEquals(ListenAddress.tcp("", 8000), parse(":8000"));
        assertEquals(ListenAddress.tcp("", 65535), parse(":65535"));
        assertEquals(ListenAddress.tcp("", 1), parse(":00001"));
    }

    @Test
    void hostNamesAndIpv6AreLowerCased() {
        assertEquals(ListenAddress.tcp("localhost", 8000), parse("LocalHost:8000"));
        assertEquals(ListenAddress.tcp("fe80::ab", 8000), parse("[FE80::AB]:8000"));
    }

    @Test
    void unixPathsResolveAgainstTheConfigFolder() {
        assertEquals(new ListenAddress("", 0, Optional.of(Path.of("/run/web.sock"))), parse("unix:/run/web.sock"));
        assertEquals(ListenAddress.unix(Path.of("/etc/baton/web.sock")), parse("unix:web.sock"));
        assertEquals(ListenAddress.unix(Path.of("/etc/run/web.sock")), parse("unix:../run/./web.sock"));
    }

    @Test
    void everyAddressRendersBackToItsTextForm() {
        for (String text : List.of("127.0.0.1:8000", "0.0.0.0:8000", "localhost:8000", "[::1]:8000", "[::]:8000",
                ":8000", "unix:/run/web.sock")) {
            assertEquals(text, parse(text).toString());
        }
        assertEquals("unix:/etc/baton/web.sock", parse("unix:web.sock").toString());
        assertTrue(parse("unix:web.sock").isUnix());
        assertFalse(parse(":8000").isUnix());
    }

    @Test
    void malformedAddressesSayWhatTheFormsAre() {
        for (String bad : List.of("8000", "", "localhost", "127.0.0.1:", "127.0.0.1:http", "::1:8000", "[::1]",
                "[::1]8000", "[127.0.0.1]:80", "[::1:80", "999.1.1.1:80", "1.2.3:80", "*:80", "web_1:80",
                " :8000", ":8000 ", "unix:", "tcp://127.0.0.1:80", "127.0.0.1:-1", "127.0.0.1:+80")) {
            assertEquals("expected \"HOST:PORT\", \"[IPV6]:PORT\" or \"unix:PATH\", found \"" + bad + "\"",
                    problem(bad), bad);
        }
    }

    @Test
    void portsOutside1To65535AreRejected() {
        assertEquals("port must be between 1 and 65535, found 0", problem(":0"));
        assertEquals("port must be between 1 and 65535, found 65536", problem("127.0.0.1:65536"));
        assertEquals("port must be between 1 and 65535, found 99999999999999999999",
                problem("[::1]:99999999999999999999"));
    }

    @Test
    void unixPathsLongerThan107BytesDoNotFitInSockaddrUn() {
        String fits = "/" + "a".repeat(106);
        assertEquals(ListenAddress.unix(Path.of(fits)), parse("unix:" + fits));

        String tooLong = "/" + "a".repeat(107);
        assertEquals("unix socket path is too long (108 > 107 bytes): " + tooLong, problem("unix:" + tooLong));
        String multiByte = "/" + "\u00e9".repeat(60);
        assertEquals("unix socket path is too long (121 > 107 bytes): " + multiByte, problem("unix:" + multiByte));
    }

    @Test
    void relativeUnixPathsAreMeasuredAfterResolving() {
        String name = "s".repeat(100);
        assertEquals("unix socket path is too long (111 > 107 bytes): /etc/baton/" + name,
                problem("unix:" + name));
    }

    @Test
    void unixPathWithNulIsInvalid() {
        assertEquals("invalid path: Nul character not allowed", problem("unix:/run/a\0b"));
    }
}
