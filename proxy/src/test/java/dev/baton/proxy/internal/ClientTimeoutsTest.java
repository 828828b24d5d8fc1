package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.proxy.ProxySettings;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Guard + codec + ClientTimeouts(header 1 s, body 3 s, keep-alive 5 s) on a frozen EmbeddedChannel clock. */
class ClientTimeoutsTest {

    private static final long HEADER = 1_000;
    private static final long BODY = 3_000;
    private static final long KEEPALIVE = 5_000;
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String POST_20 = "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n";

    private static ProxySettings.Timeouts timeouts(long header, long body, long keepalive) {
        return ProxySettings.builder("t").headerTimeout(Duration.ofMillis(header)).bodyTimeout(Duration.ofMillis(body))
                .keepaliveTimeout(Duration.ofMillis(keepalive)).build().timeouts();
    }

    private static Wire wire() {
        return new Wire(true, new ClientTimeouts(timeouts(HEADER, BODY, KEEPALIVE)));
    }

    /** As in the proxy: auto-read off, so a {@code read()} passes only when the core (here, the test) asks. */
    private static Wire bodyWire() {
        Wire wire = wire();
        wire.channel.config().setAutoRead(false);
        return wire;
    }

    private static long bodyTimeouts(Wire wire) {
        return wire.events.stream().filter(e -> e == ClientTimeouts.Event.BODY_TIMEOUT).count();
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
    void bodySilenceWhileTheCoreAsksForMoreIsReportedAfterTheBodyTimeout() {
        Wire wire = bodyWire().feed(POST_20 + "12345");
        wire.channel.read(); // the core wants more of the body
        wire.advance(BODY - 1);
        assertEquals(0, bodyTimeouts(wire));
        wire.advance(1);
        assertEquals(1, bodyTimeouts(wire));
        assertTrue(wire.channel.isOpen(), "the core answers (408) and closes, not the handler");
        assertEquals("", wire.output());
    }

    @Test
    void eachPieceOfBodyRestartsTheBodyTimeout() {
        Wire wire = bodyWire().feed(POST_20 + "12345");
        wire.channel.read();
        wire.advance(BODY - 100).feed("67890");
        wire.channel.read();
        wire.advance(BODY - 1);
        assertEquals(0, bodyTimeouts(wire));
        wire.advance(1);
        assertEquals(1, bodyTimeouts(wire));
    }

    @Test
    void noBodyTimeoutWhileTheCoreDoesNotAskForTheBody() {
        // the request waits for a worker, or the worker is slow to take the body: not the client's silence
        Wire wire = bodyWire().feed(POST_20 + "12345").advance(BODY * 10);
        assertEquals(0, bodyTimeouts(wire));
    }

    @Test
    void noBodyTimeoutOnceTheBodyIsWhole() {
        Wire wire = bodyWire().feed(POST_20 + "12345678901234567890");
        wire.channel.read(); // the core reads the next request
        wire.advance(BODY * 2);
        assertEquals(0, bodyTimeouts(wire));
    }

    @Test
    void chunkedBodySilenceIsReportedToo() {
        Wire wire = bodyWire().feed("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        wire.channel.read();
        wire.advance(BODY);
        assertEquals(1, bodyTimeouts(wire));
    }

    @Test
    void timeoutsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new ClientTimeouts(timeouts(0, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> new ClientTimeouts(timeouts(1, 0, 1)));
        assertThrows(IllegalArgumentException.class, () -> new ClientTimeouts(timeouts(1, 1, -1)));
    }
}
