package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestChecksTest {

    /** A request built without header validation, so it can carry what a lenient decoder would let through. */
    private static HttpRequest request(HttpVersion version, String... nameValues) {
        HttpRequest r = new DefaultHttpRequest(version, HttpMethod.POST, "/",
                DefaultHttpHeadersFactory.headersFactory().withValidation(false));
        for (int i = 0; i < nameValues.length; i += 2) {
            r.headers().add(nameValues[i], nameValues[i + 1]);
        }
        return r;
    }

    private static HttpRequest request(String... nameValues) {
        return request(HttpVersion.HTTP_1_1, nameValues);
    }

    private static void assertReason(String expectedPart, HttpRequest r) {
        Optional<String> reason = RequestChecks.smuggling(r);
        assertTrue(reason.isPresent(), "expected a refusal");
        assertTrue(reason.get().contains(expectedPart), reason.get());
    }

    @Test
    void soundFramingPasses() {
        assertEquals(Optional.empty(), RequestChecks.smuggling(request()));
        assertEquals(Optional.empty(), RequestChecks.smuggling(request("Content-Length", "12")));
        assertEquals(Optional.empty(), RequestChecks.smuggling(request("Transfer-Encoding", "chunked")));
        assertEquals(Optional.empty(), RequestChecks.smuggling(request("Transfer-Encoding", " Chunked ")));
    }

    @Test
    void contentLengthWithTransferEncodingIsRejected() {
        assertReason("both", request("Content-Length", "3", "Transfer-Encoding", "chunked"));
    }

    @Test
    void differingContentLengthsAreRejected() {
        assertReason("differ", request("Content-Length", "5", "Content-Length", "6"));
        assertReason("differ", request("Content-Length", "5, 6"));
    }

    @Test
    void equalRepeatedContentLengthsPass() {
        assertEquals(Optional.empty(), RequestChecks.smuggling(request("Content-Length", "5", "Content-Length", "5")));
        assertEquals(Optional.empty(), RequestChecks.smuggling(request("Content-Length", "5, 5")));
    }

    @Test
    void nonNumericOrSignedContentLengthIsRejected() {
        for (String bad : new String[] {"-1", "+3", "abc", "", "1.0", "0x10", "5,", "99999999999999999999"}) {
            assertReason("not a number", request("Content-Length", bad));
        }
    }

    @Test
    void transferEncodingOtherThanExactlyChunkedIsRejected() {
        for (String bad : new String[] {"chunked, identity", "xchunked", "chunkedx", "gzip, chunked", "identity",
                "chunked;q=1", ""}) {
            assertReason("not exactly chunked", request("Transfer-Encoding", bad));
        }
    }

    @Test
    void duplicatedTransferEncodingIsRejected() {
        assertReason("repeated", request("Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked"));
    }

    @Test
    void transferEncodingInHttp10IsRejected() {
        assertReason("HTTP/1.0", request(HttpVersion.HTTP_1_0, "Transfer-Encoding", "chunked"));
    }

    @Test
    void crLfOrNulInHeadersIsRejected() {
        assertReason("CR, LF or NUL", request("X-A", "a\r\nX-B: b"));
        assertReason("CR, LF or NUL", request("X-A", "a\nb"));
        assertReason("CR, LF or NUL", request("X-A", "a\0b"));
        assertReason("header name", request("X-A\r\nX-B", "b"));
    }

    @Test
    void hostMustBeSingleAndWellFormed() {
        HttpRequest ok = request("Host", "example.test:8080");
        assertEquals(Optional.empty(), RequestChecks.host(ok));
        assertEquals(Optional.empty(), RequestChecks.host(request("Host", "[::1]:80")));
        assertEquals(Optional.empty(), RequestChecks.host(request(HttpVersion.HTTP_1_0)));
        assertEquals(Optional.of("Host missing"), RequestChecks.host(request()));
        assertEquals(Optional.of("Host repeated"), RequestChecks.host(request("Host", "a", "Host", "b")));
        assertTrue(RequestChecks.host(request("Host", "evil.test/path")).isPresent());
        assertTrue(RequestChecks.host(request("Host", "a b")).isPresent());
    }

    @Test
    void decoderFailuresMapToStatuses() {
        assertEquals(Optional.empty(), RequestChecks.decoderFailure(DecoderResult.SUCCESS));
        assertEquals(Optional.empty(), RequestChecks.decoderFailure(DecoderResult.UNFINISHED));
        assertEquals(Optional.of(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE),
                RequestChecks.decoderFailure(DecoderResult.failure(new TooLongHttpHeaderException("big"))));
        assertEquals(Optional.of(HttpResponseStatus.REQUEST_URI_TOO_LONG),
                RequestChecks.decoderFailure(DecoderResult.failure(new TooLongHttpLineException("long"))));
        assertEquals(Optional.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
                RequestChecks.decoderFailure(DecoderResult.failure(new TooLongHttpContentException("body"))));
        assertEquals(Optional.of(HttpResponseStatus.BAD_REQUEST),
                RequestChecks.decoderFailure(DecoderResult.failure(new IllegalArgumentException("x"))));
        assertEquals(Optional.of(HttpResponseStatus.BAD_REQUEST),
                RequestChecks.decoderFailure(DecoderResult.failure(
                        new RequestGuard.Rejected(HttpResponseStatus.BAD_REQUEST, "obs-fold"))));
        assertEquals(Optional.of(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED),
                RequestChecks.decoderFailure(DecoderResult.failure(
                        new RequestGuard.Rejected(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "HTTP/2.0"))));
    }

    @Test
    void reasonsQuoteAtMostFortyPrintableCharacters() {
        String reason = RequestChecks.smuggling(request("Transfer-Encoding", "a\u0001" + "b".repeat(100))).get();
        assertTrue(reason.contains("a?bbb"), reason);
        assertTrue(reason.length() < 100, reason);
    }
}
