package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Guard + codec + HeaderTimeoutHandler(header 1 s, keep-alive 5 s) on a frozen EmbeddedChannel clock. */
class HeaderTimeoutHandlerTest {

    private static final long HEADER = 1_000;
    private static final long KEEPALIVE = 5_000;
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    private static Wire wire() {
        return new Wire(true, new HeaderTimeoutHandler(HEADER, KEEPALIVE));
    }

    private static FullHttpResponse ok() {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().setInt("Content-Length", 0);
        return r;
    }

    private static void assertTimedOutWith408(Wire wire) {
        String out = wire.output();
        assertTrue(out.startsWith("HTTP/1.1 408 Request Timeout\r\n"), out);
        assertTrue(out.contains("connection: close\r\n"), out);
        assertTrue(out.contains("no complete request head within 1000 ms"), out);
        assertFalse(wire.channel.isOpen());
    }

    @Test
    void idleNewConnectionIsClosedSilentlyAfterTheKeepaliveTimeout() {
        Wire wire = wire().advance(KEEPALIVE - 1);
        assertTrue(wire.channel.isOpen());
        wire.advance(1);
        assertFalse(wire.channel.isOpen());
        assertEquals("", wire.output());
    }

    @Test
    void partialHeadIsAnswered408AfterTheHeaderTimeout() {
        Wire wire = wire().feed("GET / HTTP/1.1\r\nHo").advance(HEADER - 1);
        assertTrue(wire.channel.isOpen());
        assertTimedOutWith408(wire.advance(1));
    }

    @Test
    void headerTimeoutIsCountedFromTheFirstByte() {
        Wire wire = wire().advance(KEEPALIVE - 100).feed("G").advance(HEADER - 1);
        assertTrue(wire.channel.isOpen(), "keep-alive timer was replaced by the header timer");
        assertTimedOutWith408(wire.advance(1));
    }

    @Test
    void blankLinesBetweenRequestsDoNotStartTheHeaderTimer() {
        Wire wire = wire().feed("\r\n").advance(HEADER * 2);
        assertTrue(wire.channel.isOpen());
        wire.advance(KEEPALIVE);
        assertEquals("", wire.output());
        assertFalse(wire.channel.isOpen());
    }

    @Test
    void noTimerRunsWhileARequestIsBeingServed() {
        Wire wire = wire().feed(GET).advance(KEEPALIVE * 10);
        assertTrue(wire.channel.isOpen());
        assertEquals("", wire.output());
    }

    @Test
    void keepaliveTimerRestartsWhenTheResponseIsComplete() {
        Wire wire = wire().feed(GET).advance(KEEPALIVE * 2);
        wire.channel.writeAndFlush(ok());
        assertTrue(wire.output().startsWith("HTTP/1.1 200 OK"));
        wire.advance(KEEPALIVE - 1);
        assertTrue(wire.channel.isOpen());
        wire.advance(1);
        assertFalse(wire.channel.isOpen());
        assertEquals("", wire.output());
    }

    @Test
    void streamedResponseCompletesOnItsLastContent() {
        Wire wire = wire().feed(GET);
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("Transfer-Encoding", "chunked");
        wire.channel.writeAndFlush(head);
        wire.channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII)));
        wire.advance(KEEPALIVE * 2);
        assertTrue(wire.channel.isOpen(), "response still streaming");
        wire.channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        wire.advance(KEEPALIVE);
        assertFalse(wire.channel.isOpen());
    }

    @Test
    void interimContinueResponseDoesNotRestartTheTimer() {
        Wire wire = wire().feed("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        wire.channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        wire.advance(KEEPALIVE * 2);
        assertTrue(wire.channel.isOpen());
    }

    @Test
    void pipelinedHeadThatStartedDuringTheResponseGetsTheHeaderTimeout() {
        Wire wire = wire().feed(GET + "GET /next HT");
        wire.channel.writeAndFlush(ok());
        wire.output();
        assertTimedOutWith408(wire.advance(HEADER));
    }

    @Test
    void pipelinedCompleteRequestKeepsTimersOffUntilItsResponse() {
        Wire wire = wire().feed(GET + GET);
        wire.channel.writeAndFlush(ok());
        wire.advance(KEEPALIVE * 2);
        assertTrue(wire.channel.isOpen(), "second request is still being served");
        wire.channel.writeAndFlush(ok());
        wire.advance(KEEPALIVE);
        assertFalse(wire.channel.isOpen());
    }

    @Test
    void switchingProtocolsStopsTheTimers() {
        Wire wire = wire().feed("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n");
        wire.channel.writeAndFlush(
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
        wire.advance(KEEPALIVE * 10);
        assertTrue(wire.channel.isOpen());
    }

    @Test
    void timeoutsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new HeaderTimeoutHandler(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new HeaderTimeoutHandler(1, -1));
    }
}
