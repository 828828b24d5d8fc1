package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.InvalidLineSeparatorException;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Raw request bytes through RequestGuard + RequestChecks.serverCodec, as a client connection sees them. */
class RequestDecodingTest {

    private static final String GET = "GET /a?b=1 HTTP/1.1\r\nHost: example.test\r\n\r\n";

    private static String post(String framing, String body) {
        return "POST /p HTTP/1.1\r\nHost: example.test\r\n" + framing + "\r\n" + body;
    }

    private static void assertRefused(Wire wire, String statusLine, String reasonPart) {
        String out = wire.output();
        assertTrue(out.startsWith("HTTP/1.1 " + statusLine + "\r\n"), out);
        assertTrue(out.contains("connection: close\r\n"), out);
        assertTrue(out.contains(reasonPart), out);
        assertFalse(wire.channel.isOpen(), "connection closed");
    }

    @Test
    void validGetIsDecodedAndNothingIsWritten() {
        Wire wire = new Wire().feed(GET);
        List<HttpRequest> requests = wire.requests();
        assertEquals(1, requests.size());
        assertTrue(requests.get(0).decoderResult().isSuccess());
        assertEquals("/a?b=1", requests.get(0).uri());
        assertEquals("example.test", requests.get(0).headers().get("Host"));
        assertInstanceOf(LastHttpContent.class, wire.received.get(wire.received.size() - 1));
        assertEquals("", wire.output());
        assertTrue(wire.channel.isOpen());
    }

    @Test
    void contentLengthWithTransferEncodingIsRejected() {
        Wire wire = new Wire().feed(post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"));
        assertRefused(wire, "400 Bad Request", "Content-Length");
    }

    @Test
    void duplicateDifferingContentLengthIsRejected() {
        assertRefused(new Wire().feed(post("Content-Length: 5\r\nContent-Length: 6\r\n", "abcdef")),
                "400 Bad Request", "Content-Length");
    }

    @Test
    void differingContentLengthsInOneHeaderAreRejected() {
        assertRefused(new Wire().feed(post("Content-Length: 5, 6\r\n", "abcdef")),
                "400 Bad Request", "Content-Length");
    }

    @Test
    void negativeContentLengthIsRejected() {
        assertRefused(new Wire().feed(post("Content-Length: -1\r\n", "")), "400 Bad Request", "not a number");
    }

    @Test
    void transferEncodingXchunkedIsRejectedBeforeItsBodyIsReadAsARequest() {
        String smuggled = "GET /admin HTTP/1.1\r\nHost: example.test\r\n\r\n";
        Wire wire = new Wire().feed(post("Transfer-Encoding: xchunked\r\n", smuggled));
        assertRefused(wire, "400 Bad Request", "not exactly chunked");
        assertEquals(1, wire.requests().size(), "the smuggled GET never reaches the core");
        assertInstanceOf(RequestGuard.Rejected.class, wire.requests().get(0).decoderResult().cause());
    }

    @Test
    void codecAloneDecodesXchunkedBodyAsASecondRequest() {
        String smuggled = "GET /admin HTTP/1.1\r\nHost: example.test\r\n\r\n";
        Wire wire = new Wire(false).feed(post("Transfer-Encoding: xchunked\r\n", smuggled));
        assertEquals(2, wire.requests().size());
        assertEquals("/admin", wire.requests().get(1).uri());
    }

    @Test
    void duplicatedTransferEncodingIsRejected() {
        Wire wire = new Wire().feed(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"));
        assertRefused(wire, "400 Bad Request", "Transfer-Encoding repeated");
    }

    @Test
    void chunkedFollowedByAnotherCodingIsRejected() {
        Wire wire = new Wire().feed(post("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n"));
        assertRefused(wire, "400 Bad Request", "chunked");
    }

    @Test
    void obsFoldIsRejected() {
        Wire wire = new Wire().feed("GET / HTTP/1.1\r\nHost: example.test\r\nX-A: one\r\n two\r\n\r\n");
        assertRefused(wire, "400 Bad Request", "obs-fold");
        assertEquals(1, wire.requests().size());
        assertTrue(wire.requests().get(0).decoderResult().isFailure());
    }

    @Test
    void obsFoldWithTabIsRejectedEvenWhenFedByteByByte() {
        Wire wire = new Wire().feedByteByByte("GET / HTTP/1.1\r\nHost: example.test\r\nX-A: one\r\n\ttwo\r\n\r\n");
        assertRefused(wire, "400 Bad Request", "obs-fold");
    }

    @Test
    void codecAloneUnfoldsObsFoldSilently() {
        Wire wire = new Wire(false).feed("GET / HTTP/1.1\r\nHost: example.test\r\nX-A: one\r\n two\r\n\r\n");
        assertTrue(wire.requests().get(0).decoderResult().isSuccess());
        assertEquals("one two", wire.requests().get(0).headers().get("X-A"));
    }

    @Test
    void obsFoldInAPipelinedRequestAfterAChunkedBodyIsRejected() {
        String first = post("Transfer-Encoding: chunked\r\n", "4\r\nab\r\n\r\n0\r\n\r\n");
        Wire wire = new Wire().feed(first + "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n");
        assertEquals(2, wire.requests().size());
        assertTrue(wire.requests().get(0).decoderResult().isSuccess());
        assertEquals("ab\r\n", wire.bodies.toString(), "CRLF inside a body is not a folded line");
        assertInstanceOf(RequestGuard.Rejected.class, wire.requests().get(1).decoderResult().cause());
    }

    @Test
    void whitespaceBeforeTheFirstHeaderIsRejected() {
        assertRefused(new Wire().feed("GET / HTTP/1.1\r\n X-A: 1\r\nHost: x\r\n\r\n"), "400 Bad Request", "whitespace");
    }

    @Test
    void bareLfIsRejected() {
        assertRefused(new Wire().feed("GET / HTTP/1.1\nHost: example.test\n\n"), "400 Bad Request", "bare LF");
    }

    @Test
    void codecAloneRejectsBareLfWithStrictLineParsing() {
        Wire wire = new Wire(false).feed("GET / HTTP/1.1\r\nHost: example.test\nX-A: 1\r\n\r\n");
        assertInstanceOf(InvalidLineSeparatorException.class, wire.requests().get(0).decoderResult().cause());
        assertRefused(wire, "400 Bad Request", "Line Feed");
    }

    @Test
    void bareCrIsRejected() {
        assertRefused(new Wire().feed("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\rX-B: 2\r\n\r\n"), "400 Bad Request",
                "bare CR");
    }

    @Test
    void nulInAHeaderIsRejected() {
        assertRefused(new Wire().feed("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"), "400 Bad Request", "NUL");
    }

    @Test
    void tooLargeHeaderSectionIsAnswered431() {
        String big = "X-Big: " + "a".repeat(Wire.MAX_HEADER) + "\r\n";
        Wire wire = new Wire().feed("GET / HTTP/1.1\r\nHost: x\r\n" + big + "\r\n");
        assertInstanceOf(TooLongHttpHeaderException.class, wire.requests().get(0).decoderResult().cause());
        assertRefused(wire, "431 Request Header Fields Too Large", "larger than");
    }

    @Test
    void tooLongRequestLineIsAnswered414() {
        String uri = "/" + "a".repeat(RequestChecks.MAX_INITIAL_LINE_LENGTH);
        assertRefused(new Wire().feed("GET " + uri + " HTTP/1.1\r\nHost: x\r\n\r\n"), "414 Request-URI Too Long", "larger");
    }

    @Test
    void malformedRequestLineIsAnswered400() {
        assertRefused(new Wire().feed("GET /\r\nHost: x\r\n\r\n"), "400 Bad Request", "HTTP/0.9");
    }

    @Test
    void headerWithoutColonIsAnswered400() {
        assertRefused(new Wire().feed("GET / HTTP/1.1\r\nHost: x\r\nX-A 1\r\n\r\n"), "400 Bad Request", "colon");
    }

    @Test
    void pipelinedRequestsFedByteByByteDecodeAsWithoutTheGuard() {
        String raw = "\r\n" + GET + post("Content-Length: 3\r\n", "abc")
                + post("Transfer-Encoding: chunked\r\n", "3;ext=1\r\nxyz\r\n0\r\nX-Trailer: t\r\n\r\n") + GET;
        Wire guarded = new Wire().feedByteByByte(raw);
        Wire plain = new Wire(false).feedByteByByte(raw);
        assertEquals(4, guarded.requests().size());
        assertEquals(plain.requests().toString(), guarded.requests().toString());
        assertEquals(plain.trailers(), guarded.trailers());
        assertEquals(List.of("", "", "X-Trailer: t", ""), guarded.trailers());
        assertEquals("abcxyz", guarded.bodies.toString());
        assertEquals("", guarded.output());
    }

    @Test
    void headStartedIsFiredOncePerRequestAndNotForBlankLines() {
        Wire wire = new Wire().feed(GET).feed("\r\n").feed("GE");
        assertEquals(List.of(RequestGuard.Event.HEAD_STARTED, RequestGuard.Event.HEAD_STARTED), wire.events);
        wire.feed("T / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(2, wire.events.size());
        assertEquals(2, wire.requests().size());
    }

    @Test
    void inputAfterARejectionIsDiscarded() {
        Wire wire = new Wire().feed("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n" + GET);
        assertEquals(1, wire.requests().size());
    }

    @Test
    void truncatedHeadAtEndOfInputReachesTheCodec() {
        Wire wire = new Wire().feed("GET / HTTP/1.1\r\nHost: x\r\n");
        wire.channel.finish();
        assertEquals(1, wire.requests().size());
        assertTrue(wire.requests().get(0).decoderResult().isFailure());
    }

    @Test
    void inputBuffersAreReleasedOnceDecoded() {
        Wire wire = new Wire();
        ByteBuf first = Unpooled.copiedBuffer(post("Content-Length: 3\r\n", "ab"), StandardCharsets.ISO_8859_1);
        ByteBuf second = Unpooled.copiedBuffer("c" + GET.substring(0, 10), StandardCharsets.ISO_8859_1);
        ByteBuf third = Unpooled.copiedBuffer(GET.substring(10), StandardCharsets.ISO_8859_1);
        wire.channel.writeInbound(first);
        wire.channel.writeInbound(second);
        wire.channel.writeInbound(third);
        assertEquals(2, wire.requests().size());
        assertEquals(0, first.refCnt());
        assertEquals(0, second.refCnt());
        assertEquals(0, third.refCnt());
    }

    /** The body pieces the core got for a chunked POST of {@code chunks}, the last one failed or not. */
    private static Wire chunked(String chunks) {
        return new Wire().feed(post("Transfer-Encoding: chunked\r\n", chunks) + GET);
    }

    private static boolean lastContentFailed(Wire wire) {
        return wire.received.stream().filter(o -> o instanceof LastHttpContent).findFirst()
                .map(o -> ((LastHttpContent) o).decoderResult().isFailure()).orElse(false);
    }

    @Test
    void malformedChunkFramingEndsTheBodyWithAFailureAndNothingAfterIsDecoded() {
        List<String> bad = List.of("zz\r\nhello\r\n0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n",
                "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n",
                "3\r\nhelloXX\r\n0\r\n\r\n", "5;a=b\nhello\r\n0\r\n\r\n", "5\r\nhello\n0\r\n\r\n",
                "5;a\u0000b\r\nhello\r\n0\r\n\r\n", "5;a\rb\r\nhello\r\n0\r\n\r\n", "\r\nhello\r\n0\r\n\r\n");
        for (String chunks : bad) {
            Wire wire = chunked(chunks);
            assertTrue(lastContentFailed(wire), "a failed end for " + chunks.replace("\r", "\\r").replace("\n", "\\n"));
            assertEquals(1, wire.requests().size(), "the GET after it is never decoded: " + chunks);
        }
    }

    @Test
    void validChunkVariantsDecodeWhole() {
        List<String> good = List.of("5\r\nhello\r\n0\r\n\r\n", "0005\r\nhello\r\n0\r\n\r\n",
                "A\r\nhellohello\r\n0\r\n\r\n", "a\r\nhellohello\r\n0\r\n\r\n",
                "5;a=b\r\nhello\r\n0\r\n\r\n", "5 ;a=\"q\"\r\nhello\r\n0\r\n\r\n",
                "5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n");
        for (String chunks : good) {
            Wire wire = chunked(chunks);
            assertFalse(lastContentFailed(wire), chunks);
            assertEquals(2, wire.requests().size(), "the pipelined GET follows: " + chunks);
        }
    }

    @Test
    void http2PriorKnowledgeIsAnswered505AndNothingIsDecodedAfterIt() {
        Wire wire = new Wire().feed("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + GET);
        assertRefused(wire, "505 HTTP Version Not Supported", "HTTP/2.0 is not supported");
        assertEquals(1, wire.requests().size());
        assertInstanceOf(RequestGuard.Rejected.class, wire.requests().get(0).decoderResult().cause());
    }

    @Test
    void http3IsAnswered505() {
        assertRefused(new Wire().feed("GET / HTTP/3.0\r\nHost: x\r\n\r\n"), "505 HTTP Version Not Supported",
                "HTTP/3.0");
    }

    @Test
    void anotherProtocolIsAMalformedRequest() {
        assertRefused(new Wire().feed("GET / FOO/1.1\r\nHost: x\r\n\r\n"), "400 Bad Request", "");
    }

    @Test
    void http12IsDecodedAsAnHttp1Request() {
        Wire wire = new Wire().feed("GET / HTTP/1.2\r\nHost: x\r\n\r\n");
        assertEquals(1, wire.requests().size());
        assertTrue(wire.requests().get(0).decoderResult().isSuccess());
        assertEquals("", wire.output());
    }
}
