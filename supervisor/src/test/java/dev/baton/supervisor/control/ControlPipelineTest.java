package dev.baton.supervisor.control;

import dev.baton.supervisor.log.LogStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole control pipeline (codec, aggregator, deadline, handler) fed raw bytes as a client would send them, on
 * a frozen clock: every mistake gets a JSON error with its status, and the connection closes.
 */
class ControlPipelineTest {

    private static final Duration TIMEOUT = ControlInitializer.REQUEST_TIMEOUT;

    private final CannedApi api = new CannedApi();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    ControlPipelineTest() {
        channel.freezeTime(); // before the deadline is set, so only advanceTimeBy moves it
        channel.pipeline().addLast(new ControlInitializer(api, TIMEOUT));
    }

    /** Status code, head and body of the answer written so far. */
    private record Answer(int status, String head, String body) {
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
    }

    private Answer answer() {
        StringBuilder text = new StringBuilder();
        for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            text.append(part.toString(StandardCharsets.UTF_8));
            part.release();
        }
        int end = text.indexOf("\r\n\r\n");
        assertTrue(end > 0, () -> "no complete answer: " + text);
        String head = text.substring(0, end);
        return new Answer(Integer.parseInt(head.split(" ")[1]), head, text.substring(end + 4).trim());
    }

    /** The answer is {@code status} with the JSON body {@code {"error": error}}, and the connection is closed. */
    private void assertRefused(int status, String error) {
        Answer answer = answer();
        assertEquals(status, answer.status(), answer::toString);
        assertTrue(answer.head().contains("content-type: application/json"), answer::head);
        assertEquals(Json.write(new ErrorReply(error)), answer.body());
        assertFalse(channel.isOpen(), "the connection is closed");
    }

    private void get(String target) {
        send("GET " + target + " HTTP/1.1\r\nHost: baton\r\n\r\n");
    }

    @Test
    void aBadPercentEscapeIs400() {
        get("/v1/status?x=%zz");
        assertRefused(400, "malformed request target: invalid hex byte 'zz' at index 14 of '/v1/status?x=%zz'");
    }

    @Test
    void aBadPercentEscapeInThePathIs400() {
        get("/v1/sta%2");
        assertRefused(400, "malformed request target: unterminated escape sequence at index 7 of: /v1/sta%2");
    }

    @Test
    void aNegativeLineCountIs400() {
        get("/v1/logs?n=-1");
        assertRefused(400, "n must be a whole number from 0");
    }

    @Test
    void aLineCountThatIsNotANumberIs400() {
        get("/v1/logs?n=abc");
        assertRefused(400, "n must be a whole number from 0");
    }

    @Test
    void aHugeLineCountAsksForAllTheLinesKept() {
        api.hub.publish("web:0", LogStream.STDOUT, "only line");
        get("/v1/logs?n=99999999999999999999");
        Answer answer = answer();
        assertEquals(200, answer.status(), answer::toString);
        assertTrue(answer.body().contains("\"text\":\"only line\""), answer::body);
        assertFalse(channel.isOpen());
    }

    @Test
    void aFlagThatIsNeitherOnNorOffIs400() {
        get("/v1/logs?follow=2");
        assertRefused(400, "follow must be 1 or 0 (also true/false, yes/no)");
    }

    @Test
    void aWaitThatIsNeitherOnNorOffIs400() {
        send("POST /v1/reload?wait=maybe HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assertRefused(400, "wait must be 1 or 0 (also true/false, yes/no)");
    }

    @Test
    void anUnknownParameterIs400NamingWhatTheEndpointTakes() {
        send("POST /v1/start?targets=web HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assertRefused(400, "unknown parameter: targets (this endpoint takes target)");
    }

    @Test
    void aParameterToAnEndpointThatTakesNoneIs400() {
        get("/v1/status?verbose=1");
        assertRefused(400, "unknown parameter: verbose (this endpoint takes none)");
    }

    @Test
    void anUnknownMethodIs405() {
        send("BREW /v1/status HTTP/1.1\r\n\r\n");
        assertRefused(405, "use GET");
    }

    @Test
    void aHeadThatIsNotHttpIs400() {
        send("hello there\r\n\r\n");
        assertRefused(400, "malformed request: text is empty (possibly HTTP/0.9)");
    }

    @Test
    void aRequestLineOverTheLimitIs414() {
        get("/v1/status?x=" + "a".repeat(ControlInitializer.MAX_LINE));
        assertRefused(414, "request line longer than 4096 bytes");
    }

    @Test
    void headersOverTheLimitAre431() {
        send("GET /v1/status HTTP/1.1\r\nX-Big: " + "a".repeat(ControlInitializer.MAX_HEADERS) + "\r\n\r\n");
        assertRefused(431, "request headers longer than 8192 bytes");
    }

    @Test
    void anAnnouncedBodyOverTheLimitIs413() {
        send("POST /v1/shutdown HTTP/1.1\r\nContent-Length: " + (ControlInitializer.MAX_BODY + 1) + "\r\n\r\n");
        assertRefused(413, "request body larger than 65536 bytes");
    }

    @Test
    void aSentBodyOverTheLimitIs413() {
        send("POST /v1/shutdown HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        String chunk = "a".repeat(16 * 1024);
        for (int i = 0; i < 5 && channel.isOpen(); i++) {
            send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
        }
        assertRefused(413, "request body larger than 65536 bytes");
    }

    @Test
    void aBodyOverTheLimitThatExpectsContinueIs413AndTheConnectionCloses() {
        send("POST /v1/shutdown HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: "
                + (ControlInitializer.MAX_BODY + 1) + "\r\n\r\n");
        assertRefused(413, "request body larger than 65536 bytes");
    }

    @Test
    void anUnsupportedExpectationIs417() {
        send("POST /v1/shutdown HTTP/1.1\r\nExpect: coffee\r\nContent-Length: 0\r\n\r\n");
        assertRefused(417, "unsupported Expect: coffee (only 100-continue is)");
    }

    @Test
    void aBodyWithinTheLimitIsRead() {
        send("POST /v1/shutdown HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
        Answer answer = answer();
        assertEquals(200, answer.status(), answer::toString);
        assertEquals("{\"message\":\"shutting down\",\"pid\":0}", answer.body());
    }

    @Test
    void aHalfSentHeadIs408AfterTheTimeout() {
        send("GET /v1/status HTTP/1.1\r\nHost: ba");
        channel.advanceTimeBy(TIMEOUT.toMillis() - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "not before the timeout");
        assertEquals(null, (Object) channel.readOutbound());

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertRefused(408, "request timed out: head and body must arrive within 10 s");
    }

    @Test
    void aHalfSentBodyIs408AfterTheTimeout() {
        send("POST /v1/shutdown HTTP/1.1\r\nContent-Length: 10\r\n\r\nhalf");
        channel.advanceTimeBy(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertRefused(408, "request timed out: head and body must arrive within 10 s");
    }

    @Test
    void aConnectionThatSendsNothingIs408AfterTheTimeout() {
        channel.advanceTimeBy(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertRefused(408, "request timed out: head and body must arrive within 10 s");
    }

    @Test
    void theTimeoutCountsFromConnectingNotFromTheLastByte() {
        send("GET /v1/status HTTP/1.1\r\n");
        channel.advanceTimeBy(TIMEOUT.toMillis() / 2, TimeUnit.MILLISECONDS);
        send("Host: baton\r\n");
        channel.advanceTimeBy(TIMEOUT.toMillis() / 2, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertRefused(408, "request timed out: head and body must arrive within 10 s");
    }

    @Test
    void aFollowedLogStreamOutlivesTheTimeout() {
        get("/v1/logs?follow=1");
        channel.advanceTimeBy(TIMEOUT.toMillis() * 3, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        api.hub.publish("web:0", LogStream.STDOUT, "late line");
        channel.runPendingTasks();
        Answer answer = answer();
        assertEquals(200, answer.status(), answer::toString);
        assertTrue(answer.body().contains("\"text\":\"late line\""), answer::body);
        assertFalse(answer.body().contains("timed out"), answer::body);
        assertTrue(channel.isOpen(), "a follower stays connected past the request timeout");
        channel.close();
    }

    @Test
    void aSecondRequestOnTheConnectionIsIgnored() {
        get("/v1/logs?follow=1");
        get("/v1/status");
        Answer answer = answer();
        assertEquals(200, answer.status(), answer::toString);
        assertEquals("application/x-ndjson", answer.head().lines()
                .filter(l -> l.startsWith("content-type: ")).findFirst().orElseThrow().substring(14));
        assertFalse(answer.body().contains("\"daemon\""), "no status answer inside the log stream: " + answer);
        channel.close();
    }
}
