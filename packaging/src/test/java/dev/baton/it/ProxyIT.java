package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Programs with {@code listen}, served through the daemon's own reverse proxy: real clients (java.net.http, curl,
 * a raw WebSocket) on the listen address, real Python workers behind it.
 */
class ProxyIT {

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    @Test
    void demoOnTheListenAddressIsAnsweredByAllFourWorkersAndStatusShowsThemHealthy() {
        Status status = sandbox.startProxiedDemo(port);
        Set<Long> pids = status.program("web").stream().map(Status.Worker::pid).collect(Collectors.toSet());

        Set<Long> answered = new HashSet<>();
        for (int i = 0; i < 40 && answered.size() < pids.size(); i++) {
            answered.add(((Number) Http.json(Http.get(port, "/")).get("pid")).longValue());
        }
        Cli.Result curl = Http.curl("http://127.0.0.1:" + port + "/hello");
        Cli.Result table = sandbox.baton("status");

        assertEquals(pids, answered, "every worker answers through the listen address");
        assertEquals(0, curl.exit(), curl::toString);
        assertEquals("/hello", Json.object(curl.out()).get("path"), curl::toString);
        assertTrue(pids.contains(((Number) Json.object(curl.out()).get("pid")).longValue()), curl::toString);
        assertEquals(0, table.exit(), table::toString);
        for (Status.Worker w : status.program("web")) {
            assertTrue(table.out().lines().anyMatch(l -> l.matches(w.name() + "\\s+RUNNING\\s+" + w.pid()
                    + "\\s+1\\s+\\S+\\s+port " + w.port() + ", healthy, 0 in flight\\s*")), table::toString);
        }
        assertTrue(table.out().lines().anyMatch(l -> l.equals("web: listening on 127.0.0.1:" + port + ", 0 queued")),
                table::toString);
        Map<?, ?> program = ProxyStatus.program(sandbox.status(), "web");
        assertEquals(List.of("127.0.0.1:" + port), program.get("listen"), program::toString);
    }

    @Test
    void postBodiesArriveIntactWithContentLengthAndChunked() throws Exception {
        sandbox.startProxied(port, 2, "");
        byte[] body = new byte[384 * 1024 + 7];
        new Random(42).nextBytes(body);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));

        HttpResponse<String> sized = Http.send(HttpRequest.newBuilder(Http.uri(port, "/digest")).timeout(Http.TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        HttpResponse<String> chunked = Http.send(HttpRequest.newBuilder(Http.uri(port, "/digest"))
                .timeout(Http.TIMEOUT).POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(body))).build());

        for (HttpResponse<String> answer : List.of(sized, chunked)) {
            Map<String, Object> digest = Http.json(answer);
            assertEquals((long) body.length, digest.get("size"), answer::body);
            assertEquals(sha256, digest.get("sha256"), answer::body);
        }
    }

    @Test
    void hundredMegabyteDownloadStreamsThroughCompleteAndInOrder() throws Exception {
        sandbox.startProxied(port, 1, "");
        long size = 100L << 20;

        HttpResponse<InputStream> response = Http.CLIENT.send(HttpRequest.newBuilder(Http.uri(port, "/bytes?n=" + size))
                .timeout(Http.TIMEOUT).build(), HttpResponse.BodyHandlers.ofInputStream());
        long count = 0;
        long misplaced = -1;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; count += n) {
                for (int i = 0; i < n && misplaced < 0; i++) {
                    if ((buffer[i] & 0xff) != (int) ((count + i) % 256)) {
                        misplaced = count + i;
                    }
                }
            }
        }

        assertEquals(200, response.statusCode());
        assertEquals(String.valueOf(size), response.headers().firstValue("Content-Length").orElse(""));
        assertEquals(size, count, "bytes received");
        assertEquals(-1, misplaced, "first byte out of place");
    }

    @Test
    void webSocketEchoesTextAndLargeBinaryFramesThroughTheListenAddress() throws Exception {
        sandbox.startProxied(port, 1, "");
        byte[] large = new byte[70_000];
        new Random(7).nextBytes(large);

        try (WebSocket ws = WebSocket.open(port, "/ws")) {
            assertEquals(101, ws.status(), ws::response);
            assertEquals(WebSocket.accept(ws.key()), ws.header("Sec-WebSocket-Accept"), ws::response);

            ws.send(WebSocket.TEXT, "hello through baton".getBytes());
            WebSocket.Frame text = ws.receive();
            ws.send(WebSocket.BINARY, large);
            WebSocket.Frame binary = ws.receive();
            ws.send(WebSocket.CLOSE, new byte[] {0x03, (byte) 0xe8});
            WebSocket.Frame close = ws.receive();

            assertEquals(WebSocket.TEXT, text.opcode());
            assertEquals("hello through baton", new String(text.payload()));
            assertEquals(WebSocket.BINARY, binary.opcode());
            assertTrue(java.util.Arrays.equals(large, binary.payload()), "70,000 binary bytes echoed intact");
            assertEquals(WebSocket.CLOSE, close.opcode());
        }
        assertEquals(200, Http.get(port, "/after").statusCode(), "plain HTTP still served after the tunnel");
    }

    @Test
    void requestsBeyondMaxInflightWaitInBatonsQueueAndAreAllServedInTurn() {
        sandbox.startProxied(port, 1, "max_inflight = 1");
        Path release = sandbox.dir().resolve("release");
        List<CompletableFuture<HttpResponse<String>>> requests = IntStream.range(0, 3)
                .mapToObj(i -> Http.getAsync(port, "/wait?file=" + release + "&n=" + i))
                .toList();

        Status waiting = sandbox.awaitStatus("2 requests queued behind 1 in flight", s -> ProxyStatus.queued(s,
                "web") == 2 && ProxyStatus.inflight(s, "web:0") == 1);
        Cli.Result table = sandbox.baton("status");
        sandbox.write("release", "");
        List<HttpResponse<String>> answers = requests.stream().map(CompletableFuture::join).toList();

        assertTrue(table.out().contains("web: listening on 127.0.0.1:" + port + ", 2 queued"), table::toString);
        assertTrue(table.out().contains("healthy, 1 in flight"), table::toString);
        for (HttpResponse<String> answer : answers) {
            assertEquals(1L, Http.json(answer).get("concurrent"), () -> "the worker served one request at a time: "
                    + answer.body());
        }
        assertEquals(0, ProxyStatus.queued(sandbox.status(), "web"), waiting::json);
    }

    @Test
    void unixSocketListenAddressServesCurlWithWorkersOnTheirOwnUnixSockets() {
        sandbox.copyDemoApp();
        Path socket = sandbox.dir().resolve("web.sock");
        sandbox.writeConfig("""
                [program.web]
                command = "python3 app.py --socket {socket}"
                numprocs = 2
                listen = "unix:%s"
                health_check = "/healthz"
                """.formatted(socket));
        sandbox.startDaemon();
        sandbox.awaitStatus("2 web workers HEALTHY", s -> ProxyStatus.healthy(s, "web", 2));

        Cli.Result curl = Http.curl("--unix-socket", socket.toString(), "http://localhost/via-unix");
        Cli.Result table = sandbox.baton("status");

        assertEquals(0, curl.exit(), curl::toString);
        assertEquals("/via-unix", Json.object(curl.out()).get("path"), curl::toString);
        assertTrue(table.out().contains("web: listening on unix:" + socket + ", 0 queued"), table::toString);
        assertTrue(Files.exists(socket));
    }

    /**
     * BUG (found by this suite): the client address is logged with its port ({@code 127.0.0.1:45102 - - [...}),
     * where the combined format (nginx's {@code $remote_addr}) and {@code AccessRecord}'s own javadoc have the bare
     * address: {@code ProgramProxy.accessLog} passes {@code Transport.describe(client)}, which appends ":port".
     */
    @Test
    void accessLogHasOneCombinedLinePerRequestWithPathStatusAndUpstreamWorker() {
        sandbox.startProxied(port, 2, "access_log = \"access.log\"");

        List<String> lines = accessLog(3);

        assertEquals(3, lines.size(), () -> String.join("\n", lines));
        List<String> requests = List.of("\"GET /a HTTP/1.1\" 200", "\"GET /b?x=1 HTTP/1.1\" 200",
                "\"POST /missing HTTP/1.1\" 404");
        Pattern combined = Pattern.compile("^(\\S+) - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\] "
                + "(\".*\" \\d{3}) \\d+ \"-\" \"it-agent\" upstream=web:[01] duration_ms=\\d+$");
        List<Matcher> matched = lines.stream().map(combined::matcher).filter(Matcher::matches).toList();
        assertEquals(3, matched.size(), () -> "combined lines: " + String.join("\n", lines));
        assertEquals(requests, matched.stream().map(m -> m.group(2)).toList());
        assertEquals(List.of("127.0.0.1", "127.0.0.1", "127.0.0.1"), matched.stream().map(m -> m.group(1)).toList(),
                "the client address, as nginx's $remote_addr");
    }

    /** BUG (same cause as the combined format): "remote_addr" is "127.0.0.1:53672", not "127.0.0.1". */
    @Test
    void jsonAccessLogHasOneParsableObjectPerRequestWithStatusAndWorker() {
        sandbox.startProxied(port, 2, "access_log = \"access.log\"\naccess_log_format = \"json\"");

        List<Map<String, Object>> lines = accessLog(3).stream().map(Json::object).toList();

        assertEquals(3, lines.size(), lines::toString);
        List<String> requests = List.of("GET /a 200", "GET /b?x=1 200", "POST /missing 404");
        for (int i = 0; i < 3; i++) {
            Map<String, Object> line = lines.get(i);
            assertEquals(requests.get(i), line.get("method") + " " + line.get("uri") + " " + line.get("status"),
                    line::toString);
            assertAll(line.toString(),
                    () -> assertEquals("web", line.get("program")),
                    () -> assertTrue(String.valueOf(line.get("worker")).matches("web:[01]")),
                    () -> assertEquals("127.0.0.1", line.get("remote_addr")),
                    () -> assertEquals("HTTP/1.1", line.get("protocol")),
                    () -> assertEquals("it-agent", line.get("user_agent")));
        }
    }

    /** Sends GET /a, GET /b?x=1 and POST /missing with curl; answers the access log once it has {@code count} lines. */
    private List<String> accessLog(int count) {
        String base = "http://127.0.0.1:" + port;
        for (String[] request : List.of(new String[] {base + "/a"}, new String[] {base + "/b?x=1"},
                new String[] {"-X", "POST", "-d", "x", base + "/missing"})) {
            List<String> args = new java.util.ArrayList<>(List.of("-o", "/dev/null", "-A", "it-agent"));
            args.addAll(List.of(request));
            Cli.Result curl = Http.curl(args.toArray(String[]::new));
            assertEquals(0, curl.exit(), curl::toString);
        }
        Path log = sandbox.dir().resolve("access.log");
        return sandbox.await(count + " lines in " + log, () -> Sandbox.read(log).lines().toList(),
                lines -> lines.size() >= count);
    }

}
