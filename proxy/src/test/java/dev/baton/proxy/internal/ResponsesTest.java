package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponsesTest {

    @Test
    void errorHasTextBodyWithStatusAndDetail() {
        FullHttpResponse r = Responses.error(HttpResponseStatus.BAD_GATEWAY, "web:2 reset the connection");
        try {
            assertEquals("502 Bad Gateway: web:2 reset the connection\n", r.content().toString(StandardCharsets.UTF_8));
            assertEquals("text/plain; charset=utf-8", r.headers().get("Content-Type"));
            assertEquals(r.content().readableBytes(), r.headers().getInt("Content-Length"));
            assertNull(r.headers().get("Connection"), "a 502 keeps the client connection");
        } finally {
            r.release();
        }
    }

    @Test
    void errorWithoutDetailIsJustTheStatus() {
        FullHttpResponse r = Responses.error(HttpResponseStatus.GATEWAY_TIMEOUT, null);
        assertEquals("504 Gateway Timeout\n", r.content().toString(StandardCharsets.UTF_8));
        r.release();
    }

    @Test
    void statusesThatLoseFramingCloseTheConnection() {
        for (HttpResponseStatus s : new HttpResponseStatus[] {HttpResponseStatus.BAD_REQUEST,
                HttpResponseStatus.REQUEST_TIMEOUT, HttpResponseStatus.REQUEST_URI_TOO_LONG,
                HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE}) {
            FullHttpResponse r = Responses.error(s, "x");
            assertEquals("close", r.headers().get("Connection"), s.toString());
            r.release();
        }
        assertFalse(Responses.closes(HttpResponseStatus.SERVICE_UNAVAILABLE));
        assertFalse(Responses.closes(HttpResponseStatus.BAD_GATEWAY));
    }

    @Test
    void unavailableIs503WithItsReasonAndRetryAfter() {
        FullHttpResponse r = Responses.unavailable("no worker free within queue_timeout", 3);
        assertEquals(503, r.status().code());
        assertEquals("3", r.headers().get("Retry-After"));
        assertEquals("503 Service Unavailable: no worker free within queue_timeout\n",
                r.content().toString(java.nio.charset.StandardCharsets.UTF_8));
        assertNull(r.headers().get("Connection"));
        r.release();
        FullHttpResponse zero = Responses.unavailable("queue full", 0);
        assertEquals("1", zero.headers().get("Retry-After"));
        zero.release();
    }

    private static final class Sender extends ChannelInboundHandlerAdapter {
        private final boolean close;

        Sender(boolean close) {
            this.close = close;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Responses.send(ctx, Responses.error(HttpResponseStatus.BAD_GATEWAY, "down"), close);
        }
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder b = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            b.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return b.toString();
    }

    @Test
    void sendWithCloseFlushesThenCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpResponseEncoder(), new Sender(true));
        ch.writeInbound("go");
        String out = written(ch);
        assertTrue(out.startsWith("HTTP/1.1 502 Bad Gateway\r\n"), out);
        assertTrue(out.contains("connection: close\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\n502 Bad Gateway: down\n"), out);
        assertFalse(ch.isOpen());
    }

    @Test
    void sendWithoutCloseKeepsTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpResponseEncoder(), new Sender(false));
        ch.writeInbound("go");
        assertTrue(written(ch).startsWith("HTTP/1.1 502 Bad Gateway\r\n"));
        assertTrue(ch.isOpen());
    }
}
