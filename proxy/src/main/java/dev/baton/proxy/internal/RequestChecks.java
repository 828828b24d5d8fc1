package dev.baton.proxy.internal;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Request validation for the proxy's client side: the strict codec, the request-smuggling shapes that must be
 * answered 400 with the connection closed, and the mapping of decoder failures to a status.
 *
 * <h2>What Netty 4.1.137's decoder does by itself</h2>
 * With the configuration of {@link #serverCodec(int)} (strict line parsing, RFC 9112 transfer-encoding rules,
 * duplicate Content-Length refused, header validation on) the decoder fails the message for: a bare LF ending the
 * request line or a header line ({@code InvalidLineSeparatorException}); a bare CR or NUL in a header value and a
 * space before the colon or before the first header name (header validation); Content-Length together with
 * Transfer-Encoding ({@code ContentLengthNotAllowedException}); Transfer-Encoding in HTTP/1.0; any repeated
 * Content-Length, equal or not, and "5, 6" in one line; a non-numeric, signed or negative Content-Length;
 * "chunked" that is not the last coding. It <em>accepts</em>: obs-fold continuation lines (silently unfolded into
 * one value joined by a space, RFC 9112 section 5.2 permits that for a server); "xchunked" (then read as a request
 * without body, whose bytes become the next request); duplicated "Transfer-Encoding: chunked" lines; codings
 * before chunked ("gzip, chunked"). {@link #smuggling(HttpRequest)} refuses the accepted framing cases and
 * {@link RequestGuard}, installed in front of the codec, refuses obs-fold and runs {@code smuggling} before a head
 * reaches the codec.
 */
public final class RequestChecks {

    static final int MAX_INITIAL_LINE_LENGTH = 8192;
    static final int MAX_CHUNK_SIZE = 64 * 1024;

    private RequestChecks() {
    }

    /**
     * The client-side codec: request line at most 8192 bytes, the whole header section at most
     * {@code maxHeaderSize} bytes, content delivered in pieces of at most 64 KiB, the strictest parsing this Netty
     * version offers. Install a {@link RequestGuard} with the same {@code maxHeaderSize} just before it.
     */
    public static HttpServerCodec serverCodec(int maxHeaderSize) {
        return new HttpServerCodec(decoderConfig(maxHeaderSize));
    }

    /** The one decoder configuration shared by the codec and {@link RequestGuard}, so both frame alike. */
    static HttpDecoderConfig decoderConfig(int maxHeaderSize) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setChunkedSupported(true)
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
    }

    /**
     * A short reason when the request's framing headers have a request-smuggling shape (RFC 9112 sections 6.1 and
     * 6.3): the answer is 400 and the connection is closed. Empty when the framing is sound.
     *
     * <p>Transfer-Encoding must be exactly one header line whose only coding is "chunked" (case-insensitive). A
     * coding before chunked ("gzip, chunked") is refused too: the proxy removes Transfer-Encoding as hop-by-hop
     * (RFC 9110 section 7.6.1), so the worker would receive a gzip body it is not told about. Repeated
     * Content-Length values that are all equal are accepted here (RFC 9110 section 8.6 allows it); the codec of
     * {@link #serverCodec(int)} refuses them anyway.
     */
    public static Optional<String> smuggling(HttpRequest request) {
        HttpHeaders headers = request.headers();
        Optional<String> bad = badCharacters(headers);
        if (bad.isPresent()) {
            return bad;
        }
        List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        List<String> encodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!lengths.isEmpty() && !encodings.isEmpty()) {
            return Optional.of("both Content-Length and Transfer-Encoding");
        }
        if (!encodings.isEmpty()) {
            return transferEncoding(request.protocolVersion(), encodings);
        }
        return contentLength(lengths);
    }

    private static Optional<String> transferEncoding(HttpVersion version, List<String> encodings) {
        if (version.majorVersion() == 1 && version.minorVersion() == 0) {
            return Optional.of("Transfer-Encoding in an HTTP/1.0 request");
        }
        if (encodings.size() > 1) {
            return Optional.of("Transfer-Encoding repeated");
        }
        String value = encodings.get(0).strip();
        if (!value.equalsIgnoreCase("chunked")) {
            return Optional.of("Transfer-Encoding \"" + printable(value) + "\" is not exactly chunked");
        }
        return Optional.empty();
    }

    private static Optional<String> contentLength(List<String> lengths) {
        long first = -1;
        for (String line : lengths) {
            for (String part : line.split(",", -1)) {
                long n = parseLength(part.strip());
                if (n < 0) {
                    return Optional.of("Content-Length \"" + printable(line) + "\" is not a number");
                }
                if (first >= 0 && n != first) {
                    return Optional.of("Content-Length values differ");
                }
                first = n;
            }
        }
        return Optional.empty();
    }

    /** The decimal value, or -1 when the text is not 1 to 18 ASCII digits (no sign, no overflow). */
    private static long parseLength(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static Optional<String> badCharacters(HttpHeaders headers) {
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (hasCrLfNul(e.getKey())) {
                return Optional.of("CR, LF or NUL in a header name");
            }
            if (hasCrLfNul(e.getValue())) {
                return Optional.of("CR, LF or NUL in header " + printable(e.getKey().toString()));
            }
        }
        return Optional.empty();
    }

    private static boolean hasCrLfNul(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A short reason when the request's version is not one Baton serves: anything but {@code HTTP/1.x}. HTTP/2 with
     * prior knowledge ({@code PRI * HTTP/2.0}) and {@code HTTP/3.0} are answered 505; {@code HTTP/1.2} and later
     * minor versions are served as HTTP/1.1 (RFC 9110 section 2.5: a recipient may treat a higher minor version
     * as the highest it supports).
     */
    public static Optional<String> version(HttpVersion version) {
        if (version.majorVersion() != 1) { // the decoder itself refuses a protocol other than HTTP (400)
            return Optional.of(version.text() + " is not supported (HTTP/1.1 only)");
        }
        return Optional.empty();
    }

    /**
     * A short reason when the Host header breaks RFC 9112 section 3.2 (400 without a smuggling concern): missing in
     * HTTP/1.1, present more than once, or a value that is not {@code host[:port]}
     * ({@link RequestTarget#validAuthority}; empty is allowed).
     */
    public static Optional<String> host(HttpRequest request) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return Optional.of("Host repeated");
        }
        if (hosts.isEmpty()) {
            boolean http10 = request.protocolVersion().minorVersion() == 0;
            return http10 ? Optional.empty() : Optional.of("Host missing");
        }
        String host = hosts.get(0);
        if (!host.isEmpty() && !RequestTarget.validAuthority(host)) {
            return Optional.of("Host \"" + printable(host) + "\" is not host[:port]");
        }
        return Optional.empty();
    }

    /**
     * The status for a message the decoder failed, empty when it did not fail. TooLongHttpHeaderException gives
     * 431; TooLongHttpLineException gives 414 (the request decoder throws it for a too long request line, whose
     * length is nearly all URI; it also throws it for a too long chunk-size line, but that failure arrives on an
     * HttpContent after the head was forwarded, when only closing the connection is left);
     * TooLongHttpContentException (from an aggregator) gives 413; a {@link RequestGuard.Rejected} request its own
     * status (400 or 505); anything else gives 400.
     */
    public static Optional<HttpResponseStatus> decoderFailure(DecoderResult r) {
        if (r == null || !r.isFailure()) {
            return Optional.empty();
        }
        Throwable cause = r.cause();
        if (cause instanceof TooLongHttpHeaderException) {
            return Optional.of(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
        }
        if (cause instanceof TooLongHttpLineException) {
            return Optional.of(HttpResponseStatus.REQUEST_URI_TOO_LONG);
        }
        if (cause instanceof TooLongHttpContentException) {
            return Optional.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        }
        if (cause instanceof RequestGuard.Rejected rejected) {
            return Optional.of(rejected.status());
        }
        return Optional.of(HttpResponseStatus.BAD_REQUEST);
    }

    /** At most 40 characters of {@code s}, control characters shown as '?', for reasons that end up in logs. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 43));
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 40 ? b.append("...").toString() : b.toString();
    }
}
