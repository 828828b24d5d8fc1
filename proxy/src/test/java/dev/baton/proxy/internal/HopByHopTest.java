package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class HopByHopTest {

    private static HttpHeaders headers(String... nameValues) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(nameValues[i], nameValues[i + 1]);
        }
        return h;
    }

    private static HttpRequest request(HttpVersion v, HttpMethod m, String... nameValues) {
        HttpRequest r = new DefaultHttpRequest(v, m, "/ws");
        r.headers().add(headers(nameValues));
        return r;
    }

    @Test
    void stripRemovesTheRfc9110ListAndKeepsEndToEndFields() {
        HttpHeaders h = headers("Connection", "keep-alive", "Keep-Alive", "timeout=5", "Proxy-Connection", "close",
                "TE", "trailers", "Transfer-Encoding", "chunked", "Upgrade", "h2c", "Host", "a",
                "Proxy-Authorization", "Basic x", "Proxy-Authenticate", "Basic", "Cookie", "c=1");
        HopByHop.strip(h);
        assertEquals(List.of("Host", "Proxy-Authorization", "Proxy-Authenticate", "Cookie"), List.copyOf(h.names()));
    }

    @Test
    void stripRemovesEveryFieldNamedByConnectionCaseInsensitively() {
        HttpHeaders h = headers("Connection", "X-Secret ,, x-other", "connection", "X-Third", "x-secret", "1",
                "X-OTHER", "2", "x-third", "3", "X-Kept", "4");
        HopByHop.strip(h);
        assertEquals(List.of("X-Kept"), List.copyOf(h.names()));
    }

    @Test
    void connectionCannotRemoveHostOrContentLength() {
        HttpHeaders h = headers("Connection", "close, Host, Content-Length", "Host", "a", "Content-Length", "3");
        HopByHop.strip(h);
        assertEquals("a", h.get("Host"));
        assertEquals("3", h.get("Content-Length"));
        assertFalse(h.contains("Connection"));
    }

    @Test
    void stripForUpgradeKeepsConnectionUpgradeAndTheUpgradeValue() {
        HttpHeaders h = headers("Connection", "keep-alive, Upgrade, X-Hop", "Upgrade", "websocket", "X-Hop", "1",
                "Keep-Alive", "5", "Sec-WebSocket-Key", "k");
        HopByHop.stripForUpgrade(h);
        assertEquals("upgrade", h.get("Connection"));
        assertEquals("websocket", h.get("Upgrade"));
        assertEquals("k", h.get("Sec-WebSocket-Key"));
        assertFalse(h.contains("X-Hop"));
        assertFalse(h.contains("Keep-Alive"));
    }

    @Test
    void websocketHandshakeIsAnUpgrade() {
        assertTrue(HopByHop.isUpgrade(request(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "Connection", "keep-alive, Upgrade", "Upgrade", "WebSocket")));
        assertTrue(HopByHop.isUpgrade(request(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "Connection", "upgrade", "Upgrade", "foo/2, websocket/13")));
    }

    @Test
    void otherUpgradesAndMalformedHandshakesAreNot() {
        assertFalse(HopByHop.isUpgrade(request(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "Connection", "Upgrade", "Upgrade", "h2c")));
        assertFalse(HopByHop.isUpgrade(request(HttpVersion.HTTP_1_1, HttpMethod.GET, "Upgrade", "websocket")));
        assertFalse(HopByHop.isUpgrade(request(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "Connection", "upgraded", "Upgrade", "websocket")));
        assertFalse(HopByHop.isUpgrade(request(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "Connection", "upgrade", "Upgrade", "websockets")));
        assertFalse(HopByHop.isUpgrade(request(HttpVersion.HTTP_1_0, HttpMethod.GET,
                "Connection", "upgrade", "Upgrade", "websocket")));
        assertFalse(HopByHop.isUpgrade(request(HttpVersion.HTTP_1_1, HttpMethod.POST,
                "Connection", "upgrade", "Upgrade", "websocket")));
    }
}
