package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The request-target forms Baton serves (RFC 9112 section 3.2) and what the worker gets of them. */
class RequestTargetTest {

    @Test
    void originFormIsForwardedAsItIs() {
        assertEquals(Optional.empty(), RequestTarget.problem(HttpMethod.GET, "/a/b?c=d"));
        assertEquals(new RequestTarget("/a/b?c=d", Optional.empty()), RequestTarget.of("/a/b?c=d"));
    }

    @Test
    void absoluteFormBecomesOriginFormAndItsHostReplacesHost() {
        assertEquals(Optional.empty(), RequestTarget.problem(HttpMethod.GET, "HTTP://Other.test:8080/x?y=1"));
        assertEquals(new RequestTarget("/x?y=1", Optional.of("Other.test:8080")),
                RequestTarget.of("HTTP://Other.test:8080/x?y=1"));
        assertEquals(new RequestTarget("/", Optional.of("other.test")), RequestTarget.of("https://other.test"));
        assertEquals(new RequestTarget("/?q", Optional.of("[::1]")), RequestTarget.of("http://[::1]?q"));
    }

    @Test
    void asteriskIsForOptionsOnly() {
        assertEquals(Optional.empty(), RequestTarget.problem(HttpMethod.OPTIONS, "*"));
        assertTrue(RequestTarget.problem(HttpMethod.GET, "*").isPresent());
    }

    @Test
    void otherFormsAreRefused() {
        for (String target : List.of("t9", "x.test:443", "ftp://x/y", "http:///nohost", "http://user@x/",
                "http://x:99999/", "http://[::1/")) {
            assertTrue(RequestTarget.problem(HttpMethod.GET, target).isPresent(), target);
        }
    }

    @Test
    void authoritiesAreHostAndAnOptionalPortUpTo65535() {
        for (String ok : List.of("x", "x:80", "x:", "a-b.c_d~e", "%41", "[::1]", "[::1]:443", "127.0.0.1:65535")) {
            assertTrue(RequestTarget.validAuthority(ok), ok);
        }
        for (String bad : List.of("x:99999", "x:123456", "x:80:81", "[::1", "[::1]x", "x y", "a@b", "x:8a", "x/y")) {
            assertFalse(RequestTarget.validAuthority(bad), bad);
        }
    }
}
