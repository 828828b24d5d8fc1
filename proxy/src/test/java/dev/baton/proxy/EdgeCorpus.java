package dev.baton.proxy;

import dev.baton.proxy.EdgeCase.Expected;

import java.util.ArrayList;
import java.util.List;

/**
 * The data of {@link EdgeCorpusTest}: raw requests at the edges of HTTP/1.1 (RFC 9112) and what the proxy must
 * make of them. Every refused request is followed, in the same write, by a valid {@code GET /smuggled} that must
 * never be forwarded.
 */
final class EdgeCorpus {

    static final String SMUGGLED = get("/smuggled");
    private static final String TE = "Transfer-Encoding: chunked\r\n";

    private EdgeCorpus() {
    }

    static List<EdgeCase> cases() {
        List<EdgeCase> all = new ArrayList<>();
        framing(all);
        lines(all);
        heads(all);
        valid(all);
        pipelined(all);
        brokenChunks(all);
        versions(all);
        halfClosed(all);
        return all;
    }

    static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    static String post(String target, String framing, String body) {
        return "POST " + target + " HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n" + body;
    }

    private static EdgeCase refused(String name, int status, String request) {
        return EdgeCase.of(name, request + SMUGGLED).answered(status).closed().workerGetsNothing();
    }

    private static EdgeCase refused(String name, String request) {
        return refused(name, 400, request);
    }

    /** Answered 200 for each expected request, in order, and the connection stays open. */
    private static EdgeCase served(String name, String[] writes, Expected... expected) {
        Integer[] ok = new Integer[expected.length];
        java.util.Arrays.fill(ok, 200);
        return EdgeCase.of(name, writes).answered(ok).open().workerGets(expected);
    }

    private static EdgeCase served(String name, String request, Expected... expected) {
        return served(name, new String[] {request}, expected);
    }

    private static String[] writes(String... pieces) {
        return pieces;
    }

    /** Content-Length and Transfer-Encoding shapes that would let two parsers frame a body differently. */
    private static void framing(List<EdgeCase> all) {
        all.add(refused("Content-Length with Transfer-Encoding", post("/", "Content-Length: 5\r\n" + TE, "0\r\n\r\n")));
        all.add(refused("Transfer-Encoding with Content-Length", post("/", TE + "Content-Length: 5\r\n", "0\r\n\r\n")));
        all.add(refused("Content-Length 5 then 6", post("/", "Content-Length: 5\r\nContent-Length: 6\r\n", "abcdef")));
        all.add(refused("Content-Length repeated equal", post("/", "Content-Length: 5\r\nContent-Length: 5\r\n", "abcde")));
        all.add(refused("Content-Length list 5, 6", post("/", "Content-Length: 5, 6\r\n", "abcdef")));
        all.add(refused("Content-Length list 5, 5", post("/", "Content-Length: 5, 5\r\n", "abcde")));
        String[][] badLengths = {{"negative", "-1"}, {"plus sign", "+3"}, {"letters", "abc"}, {"empty", ""},
            {"decimal point", "1.0"}, {"hex", "0x10"}, {"trailing comma", "5,"}, {"overflow", "99999999999999999999"},
            {"inner space", "1 2"}};
        for (String[] bad : badLengths) {
            all.add(refused("Content-Length " + bad[0], post("/", "Content-Length: " + bad[1] + "\r\n", "abc")));
        }
        all.add(refused("Transfer-Encoding xchunked hiding a request in its body",
                post("/", "Transfer-Encoding: xchunked\r\n", get("/admin"))));
        String[] badCodings = {"chunkedx", "chunked, identity", "identity", "gzip, chunked", "chunked;q=1", ""};
        for (String coding : badCodings) {
            all.add(refused("Transfer-Encoding \"" + coding + "\"",
                    post("/", "Transfer-Encoding: " + coding + "\r\n", "0\r\n\r\n")));
        }
        all.add(refused("Transfer-Encoding repeated", post("/", TE + TE, "0\r\n\r\n")));
        all.add(refused("Transfer-Encoding in HTTP/1.0",
                "POST / HTTP/1.0\r\nHost: x\r\n" + TE + "\r\n5\r\nhello\r\n0\r\n\r\n"));
        all.add(refused("obs-fold continuing Content-Length", post("/", "Content-Length: 1\r\n 0\r\n", "0123456789")));
    }

    /** Line structure: folding, bare CR and LF, NUL, whitespace where RFC 9112 section 2.2 forbids it. */
    private static void lines(List<EdgeCase> all) {
        all.add(refused("obs-fold with a space", "GET / HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n"));
        all.add(refused("obs-fold with a tab", "GET / HTTP/1.1\r\nHost: x\r\nX-A: one\r\n\ttwo\r\n\r\n"));
        String folded = "GET / HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n" + SMUGGLED;
        String[] bytes = folded.chars().mapToObj(c -> String.valueOf((char) c)).toArray(String[]::new);
        all.add(EdgeCase.of("obs-fold sent byte by byte", bytes).answered(400).closed().workerGetsNothing());
        all.add(refused("whitespace before the first header", "GET / HTTP/1.1\r\n X-A: 1\r\nHost: x\r\n\r\n"));
        all.add(refused("bare LF line endings", "GET / HTTP/1.1\nHost: x\n\n"));
        all.add(refused("bare LF ending one header", "GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n"));
        all.add(refused("bare LF ending the head", "GET / HTTP/1.1\r\nHost: x\r\n\n"));
        all.add(refused("bare CR inside the header section", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\rX-B: 2\r\n\r\n"));
        all.add(refused("bare CR in the request line", "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(refused("NUL in a header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"));
        all.add(refused("NUL in a header name", "GET / HTTP/1.1\r\nHost: x\r\nX-\0A: 1\r\n\r\n"));
        all.add(refused("NUL in the target", "GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(refused("space before the colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A : 1\r\n\r\n"));
        all.add(refused("tab before the colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A\t: 1\r\n\r\n"));
        all.add(refused("header without a colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A 1\r\n\r\n"));
        all.add(refused("space inside a header name", "GET / HTTP/1.1\r\nHost: x\r\nX A: 1\r\n\r\n"));
        all.add(refused("empty header name", "GET / HTTP/1.1\r\nHost: x\r\n: 1\r\n\r\n"));
    }

    /** Request lines and Host (RFC 9112 sections 3 and 3.2) and the size limits. */
    private static void heads(List<EdgeCase> all) {
        all.add(refused("HTTP/0.9 request line", "GET /\r\nHost: x\r\n\r\n"));
        all.add(refused("not a request line", "NOT A REQUEST\r\n\r\n"));
        all.add(refused("Host missing in HTTP/1.1", "GET / HTTP/1.1\r\nX-No-Host: 1\r\n\r\n"));
        all.add(refused("Host repeated", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
        all.add(refused("Host with a path", "GET / HTTP/1.1\r\nHost: evil.test/path\r\n\r\n"));
        all.add(refused("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"));
        all.add(refused("Host with user info", "GET / HTTP/1.1\r\nHost: user@evil.test\r\n\r\n"));
        all.add(refused("control character in the target", "GET /a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(refused("DEL in the target", "GET /a\u007fb HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(refused("tab in the request line", "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(refused("CONNECT", 405, "CONNECT x.test:443 HTTP/1.1\r\nHost: x.test:443\r\n\r\n"));
        all.add(refused("target without a leading slash", "GET t9 HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(refused("asterisk target for GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(refused("absolute-form target without a host", "GET http:///t HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(refused("absolute-form target with user info",
                "GET http://user@evil.test/t HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(refused("Host with an unclosed IP literal", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"));
        all.add(refused("Host with a port over 65535", "GET / HTTP/1.1\r\nHost: x:99999\r\n\r\n"));
        all.add(refused("Host with two ports", "GET / HTTP/1.1\r\nHost: x:80:81\r\n\r\n"));
        all.add(refused("request line too long", 414, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        all.add(refused("header section too large", 431,
                "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"));
    }

    /** Requests that are unusual but valid: served whole. */
    private static void valid(List<EdgeCase> all) {
        all.add(served("plain GET", get("/v/get"), Expected.of("GET", "/v/get", "")));
        all.add(served("POST with Content-Length", post("/v/cl", "Content-Length: 5\r\n", "hello"),
                Expected.of("POST", "/v/cl", "hello")));
        all.add(served("POST with Content-Length 0", post("/v/cl0", "Content-Length: 0\r\n", ""),
                Expected.of("POST", "/v/cl0", "")));
        all.add(served("Content-Length with leading zeros", post("/v/cl005", "Content-Length: 005\r\n", "hello"),
                Expected.of("POST", "/v/cl005", "hello")));
        all.add(served("body holding CR LF and NUL bytes", post("/v/bin", "Content-Length: 7\r\n", "a\r\nb\0\n\r"),
                Expected.of("POST", "/v/bin", "a\r\nb\0\n\r")));
        all.add(served("chunked body", post("/v/ch", TE, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
                Expected.of("POST", "/v/ch", "hello world")));
        all.add(served("chunk size in uppercase hex", post("/v/hexu", TE, "C\r\nhello world!\r\n0\r\n\r\n"),
                Expected.of("POST", "/v/hexu", "hello world!")));
        all.add(served("chunk size in lowercase hex", post("/v/hexl", TE, "c\r\nhello world!\r\n0\r\n\r\n"),
                Expected.of("POST", "/v/hexl", "hello world!")));
        all.add(served("chunk sizes with leading zeros", post("/v/zeros", TE, "0005\r\nhello\r\n0000\r\n\r\n"),
                Expected.of("POST", "/v/zeros", "hello")));
        all.add(served("chunk extensions", post("/v/ext", TE, "5;a=b\r\nhello\r\n0;c\r\n\r\n"),
                Expected.of("POST", "/v/ext", "hello")));
        all.add(served("chunk extension after whitespace with a quoted value",
                post("/v/extq", TE, "5 ;a=\"q\"\r\nhello\r\n0\r\n\r\n"), Expected.of("POST", "/v/extq", "hello")));
        all.add(served("chunked body with trailers",
                post("/v/trailers", TE, "5\r\nhello\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n"),
                Expected.of("POST", "/v/trailers", "hello")));
        all.add(served("Transfer-Encoding in another case with spaces",
                post("/v/te", "Transfer-Encoding:  Chunked \r\n", "5\r\nhello\r\n0\r\n\r\n"),
                Expected.of("POST", "/v/te", "hello")));
        all.add(served("header values with whitespace around them",
                "GET /v/ows HTTP/1.1\r\nHost:x\r\nX-A: \t v \t\r\n\r\n", Expected.of("GET", "/v/ows", "")));
        all.add(served("an empty line before the request line", "\r\n" + get("/v/crlf"),
                Expected.of("GET", "/v/crlf", "")));
        all.add(served("head split across writes", writes("GE", "T /v/split HT", "TP/1.1\r", "\nHost: x\r\n\r", "\n"),
                Expected.of("GET", "/v/split", "")));
        all.add(served("Content-Length body split across writes",
                writes(post("/v/cls", "Content-Length: 11\r\n", "hel"), "lo wo", "rld"),
                Expected.of("POST", "/v/cls", "hello world")));
        all.add(served("chunk-size lines split across writes",
                writes(post("/v/chs", TE, "5\r"), "\nhel", "lo\r\n0\r", "\n\r", "\n"),
                Expected.of("POST", "/v/chs", "hello")));
        String inner = get("/in-body") + "\r\n";
        all.add(served("a body that looks like a request stays a body",
                post("/v/inner", "Content-Length: " + inner.length() + "\r\n", inner),
                Expected.of("POST", "/v/inner", inner)));
        all.add(served("absolute-form target, forwarded in origin-form",
                "GET http://other.test:8080/v/abs?q=1 HTTP/1.1\r\nHost: x\r\n\r\n",
                Expected.of("GET", "/v/abs?q=1", "")));
        all.add(served("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", Expected.of("OPTIONS", "*", "")));
        all.add(served("Host an IPv6 literal with a port", "GET /v/v6 HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
                Expected.of("GET", "/v/v6", "")));
        all.add(EdgeCase.of("HTTP/1.0 GET without Host", "GET /v/old HTTP/1.0\r\n\r\n").answered(200).closed()
                .workerGets(Expected.of("GET", "/v/old", "")));
        all.add(EdgeCase.of("Connection: close", "GET /v/close HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .answered(200).closed().workerGets(Expected.of("GET", "/v/close", "")));
    }

    /** Several requests in one write, or split across writes anywhere (RFC 9112 section 9.3.2). */
    private static void pipelined(List<EdgeCase> all) {
        all.add(served("pipelined GET then POST with Content-Length in one write",
                get("/p/a") + post("/p/b", "Content-Length: 5\r\n", "hello"),
                Expected.of("GET", "/p/a", ""), Expected.of("POST", "/p/b", "hello")));
        all.add(served("pipelined GET then chunked POST in one write",
                get("/p/c") + post("/p/d", TE, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
                Expected.of("GET", "/p/c", ""), Expected.of("POST", "/p/d", "hello world")));
        all.add(served("pipelined GET, POST, GET in one write",
                get("/p/e") + post("/p/f", "Content-Length: 3\r\n", "abc") + get("/p/g"),
                Expected.of("GET", "/p/e", ""), Expected.of("POST", "/p/f", "abc"), Expected.of("GET", "/p/g", "")));
        all.add(served("pipelined POST then GET in one write",
                post("/p/h", "Content-Length: 4\r\n", "wxyz") + get("/p/i"),
                Expected.of("POST", "/p/h", "wxyz"), Expected.of("GET", "/p/i", "")));
        all.add(served("pipelined chunked POST, POST, GET in one write",
                post("/p/j", TE, "3;x=1\r\nxyz\r\n0\r\nX-T: t\r\n\r\n") + post("/p/k", "Content-Length: 3\r\n", "abc")
                        + get("/p/l"),
                Expected.of("POST", "/p/j", "xyz"), Expected.of("POST", "/p/k", "abc"), Expected.of("GET", "/p/l", "")));
        all.add(served("three pipelined GETs split inside the second",
                writes(get("/p/m") + "GET /p/n HT", "TP/1.1\r\nHost: x\r\n\r\n" + get("/p/o")),
                Expected.of("GET", "/p/m", ""), Expected.of("GET", "/p/n", ""), Expected.of("GET", "/p/o", "")));
        all.add(served("pipelined slow GET then fast GET are answered in order",
                get("/p/slow?delay=300") + get("/p/fast"),
                Expected.of("GET", "/p/slow?delay=300", ""), Expected.of("GET", "/p/fast", "")));
        all.add(EdgeCase.of("pipelined chunked POST then obs-fold",
                post("/p/q", TE, "4\r\nab\r\n\r\n0\r\n\r\n") + "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n 2\r\n\r\n"
                        + SMUGGLED)
                .answered(200, 400).closed().workerGets(Expected.of("POST", "/p/q", "ab\r\n")));
        all.add(EdgeCase.of("pipelined GET then Content-Length with Transfer-Encoding",
                get("/p/r") + post("/p/s", "Content-Length: 5\r\n" + TE, "0\r\n\r\n") + SMUGGLED)
                .answered(200, 400).closed().workerGets(Expected.of("GET", "/p/r", "")));
    }

    /** Chunked bodies that break RFC 9112 section 7.1, each after a head that may already be forwarded. */
    private static void brokenChunks(List<EdgeCase> all) {
        String[][] broken = {
            {"chunk size zz", "zz\r\nhello\r\n0\r\n\r\n"},
            {"chunk size 0x5", "0x5\r\nhello\r\n0\r\n\r\n"},
            {"chunk size overflowing", "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"},
            {"chunk size -5", "-5\r\nhello\r\n0\r\n\r\n"},
            {"chunk size missing", "\r\nhello\r\n0\r\n\r\n"},
            {"chunk data longer than its size", "3\r\nhelloXX\r\n0\r\n\r\n"},
            {"chunk data shorter than its size", "5\r\nhel\r\n0\r\n\r\n"},
            {"chunk data without CRLF", "5\r\nhello0\r\n\r\n"},
            {"bare LF in a chunk extension", "5;a=b\nhello\r\n0\r\n\r\n"},
            {"bare LF after a chunk size", "5\nhello\r\n0\r\n\r\n"},
            {"bare LF after chunk data", "5\r\nhello\n0\r\n\r\n"},
            {"bare LF after the last chunk", "5\r\nhello\r\n0\n\r\n"},
            {"NUL in a chunk extension", "5;a=\0\r\nhello\r\n0\r\n\r\n"},
            {"CR in a chunk extension", "5;a=\rb\r\nhello\r\n0\r\n\r\n"},
        };
        for (String[] b : broken) {
            all.add(EdgeCase.of(b[0], post("/broken", TE, b[1]) + SMUGGLED).answered(400).closed()
                    .workerGetsNoCompleteRequest());
        }
    }

    /** Versions other than 1.x are not HTTP/1.1's to serve (RFC 9110 section 15.6.6); 1.x higher than 1.1 is 1.1. */
    private static void versions(List<EdgeCase> all) {
        all.add(refused("HTTP/2 connection preface", 505, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        all.add(refused("HTTP/2.0 request line", 505, "GET / HTTP/2.0\r\nHost: x\r\n\r\n"));
        all.add(refused("HTTP/3.0 request line", 505, "GET / HTTP/3.0\r\nHost: x\r\n\r\n"));
        all.add(served("HTTP/1.2 is served as HTTP/1.1", "GET /ver/12 HTTP/1.2\r\nHost: x\r\n\r\n",
                Expected.of("GET", "/ver/12", "")));
    }

    /** The client half-closes after sending (RFC 9112 section 9.6): what it sent whole is still answered. */
    private static void halfClosed(List<EdgeCase> all) {
        all.add(EdgeCase.of("GET then half-close", get("/h/a")).fin().answered(200).closed()
                .workerGets(Expected.of("GET", "/h/a", "")));
        all.add(EdgeCase.of("two pipelined GETs then half-close", get("/h/b") + get("/h/c")).fin().answered(200, 200)
                .closed().workerGets(Expected.of("GET", "/h/b", ""), Expected.of("GET", "/h/c", "")));
        all.add(EdgeCase.of("POST with its whole body then half-close",
                post("/h/d", "Content-Length: 5\r\n", "hello")).fin().answered(200).closed()
                .workerGets(Expected.of("POST", "/h/d", "hello")));
        all.add(EdgeCase.of("chunked POST with its whole body then half-close",
                post("/h/e", TE, "5\r\nhello\r\n0\r\n\r\n")).fin().answered(200).closed()
                .workerGets(Expected.of("POST", "/h/e", "hello")));
        all.add(EdgeCase.of("POST with half its body then half-close",
                post("/h/f", "Content-Length: 10\r\n", "hello")).fin().answered(400).orJustClosed().closed()
                .workerGetsNoCompleteRequest());
        all.add(EdgeCase.of("chunked POST with half its body then half-close",
                post("/h/g", TE, "5\r\nhello\r\n")).fin().answered(400).orJustClosed().closed()
                .workerGetsNoCompleteRequest());
        all.add(EdgeCase.of("half a head then half-close", "GET /h/h HTTP/1.1\r\nHo").fin().answered(400)
                .orJustClosed().closed().workerGetsNothing());
    }
}
