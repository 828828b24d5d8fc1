package dev.baton.supervisor.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlServerTest {

    @TempDir
    Path dir;

    private static final StatusReply STATUS = CannedApi.STATUS;

    private final ControlApi api = new CannedApi();

    private static String mode(Path socket) throws IOException {
        return PosixFilePermissions.toString(Files.readAttributes(socket, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS).permissions());
    }

    @Test
    void socketIsOwnerOnlyAnswersHttpAndIsRemovedOnClose() throws Exception {
        Path socket = dir.resolve("run/baton.sock");
        try (ControlServer server = ControlServer.bind(socket, Optional.empty(), api)) {
            assertEquals("rw-------", mode(socket));
            ControlClient.Response response = new ControlClient(socket).get("/v1/status");
            assertEquals(200, response.status());
            assertEquals(STATUS, Json.read(response.body(), StatusReply.class));
            try (var files = Files.list(socket.getParent())) {
                assertEquals(List.of(socket), files.toList(), "no temporary file left behind");
            }
        }
        assertFalse(Files.exists(socket));
    }

    @Test
    void aStreamedAnswerReachesTheClientLineByLineWithItsStatus() throws Exception {
        Path socket = dir.resolve("baton.sock");
        try (ControlServer server = ControlServer.bind(socket, Optional.empty(), api)) {
            List<String> lines = new java.util.ArrayList<>();
            int status = new ControlClient(socket).stream("GET", "/v1/logs?target=web:x",
                    (code, line) -> lines.add(code + " " + line));
            assertEquals(400, status);
            assertEquals(List.of("400 {\"error\":\"no such program, group or worker: web:x\"}"), lines);
            lines.clear();
            assertEquals(200, new ControlClient(socket).stream("POST", "/v1/reload",
                    (code, line) -> lines.add(code + " " + line)));
            assertEquals(List.of("200 {\"summary\":[]}"), lines);
        }
    }

    @Test
    void aBadPercentEscapeIsAJsonErrorNotAClosedConnection() throws Exception {
        Path socket = dir.resolve("baton.sock");
        try (ControlServer server = ControlServer.bind(socket, Optional.empty(), api)) {
            ControlClient.Response response = new ControlClient(socket).get("/v1/status?x=%zz");
            assertEquals(400, response.status());
            assertTrue(response.body().startsWith("{\"error\":\"malformed request target: "), response.body());
        }
    }

    @Test
    void aBodyOverTheLimitIs413WithJsonThenTheConnectionCloses() throws Exception {
        Path socket = dir.resolve("baton.sock");
        try (ControlServer server = ControlServer.bind(socket, Optional.empty(), api)) {
            byte[] body = new byte[ControlInitializer.MAX_BODY + 1];
            String answer = exchange(socket, "POST /v1/shutdown HTTP/1.1\r\nContent-Length: " + body.length
                    + "\r\n\r\n", body);
            assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            assertTrue(answer.endsWith("\r\n\r\n{\"error\":\"request body larger than 65536 bytes\"}\n"), answer);
        }
    }

    @Test
    void aHalfSentRequestIs408WithJsonOnceTheTimeoutIsOver() throws Exception {
        Path socket = dir.resolve("baton.sock");
        try (ControlServer server = ControlServer.bind(socket, Optional.empty(), api, Duration.ofMillis(300))) {
            long started = System.nanoTime();
            String answer = exchange(socket, "GET /v1/status HTTP/1.1\r\nHost: ba", new byte[0]);
            assertTrue(System.nanoTime() - started >= Duration.ofMillis(300).toNanos(), "not before the timeout");
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            assertTrue(answer.endsWith("\r\n\r\n{\"error\":\"request timed out: head and body must arrive within"
                    + " 300 ms\"}\n"), answer);
        }
    }

    /**
     * Sends {@code head} and {@code body} as they are (stopping if the daemon closes first), then reads until the
     * daemon closes the connection, which must happen within a few seconds.
     */
    private static String exchange(Path socket, String head, byte[] body) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            try {
                for (ByteBuffer bytes : List.of(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)),
                        ByteBuffer.wrap(body))) {
                    while (bytes.hasRemaining()) {
                        ch.write(bytes);
                    }
                }
            } catch (IOException e) {
                // the daemon answered and closed before the whole body was sent: read what it answered
            }
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                ByteArrayOutputStream read = new ByteArrayOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(8192);
                try {
                    while (ch.read(buffer.clear()) > 0) {
                        read.write(buffer.array(), 0, buffer.position());
                    }
                } catch (IOException e) {
                    // reset after the answer: the daemon closed with part of the body unread
                }
                return read.toString(StandardCharsets.UTF_8);
            });
            try {
                return answer.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the daemon did not close the connection within 10 s");
            }
        }
    }

    @Test
    void socketGroupGivesGroupAccess() throws Exception {
        Path socket = dir.resolve("baton.sock");
        String group = Files.readAttributes(dir, PosixFileAttributes.class).group().getName();
        try (ControlServer server = ControlServer.bind(socket, Optional.of(group), api)) {
            assertEquals("rw-rw----", mode(socket));
            assertEquals(group, Files.readAttributes(socket, PosixFileAttributes.class).group().getName());
        }
    }

    @Test
    void unknownSocketGroupIsAClearError() {
        IOException e = assertThrows(IOException.class,
                () -> ControlServer.bind(dir.resolve("baton.sock"), Optional.of("no-such-group-xyz"), api));
        assertEquals("socket_group: unknown group no-such-group-xyz", e.getMessage());
        assertFalse(Files.exists(dir.resolve("baton.sock")));
    }

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        Path socket = dir.resolve("baton.sock");
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        assertFalse(new ControlClient(socket).reachable(), "nobody listens on a stale socket");
        try (ControlServer server = ControlServer.bind(socket, Optional.empty(), api)) {
            assertTrue(new ControlClient(socket).reachable());
        }
    }

    @Test
    void tooLongSocketPathIsAClearError() {
        Path socket = dir.resolve("x".repeat(120) + ".sock");
        IOException e = assertThrows(IOException.class, () -> ControlServer.bind(socket, Optional.empty(), api));
        assertTrue(e.getMessage().startsWith("socket path is too long"), e.getMessage());
    }

    @Test
    void clientWithoutDaemonSaysSoInOneLine() {
        ControlClient client = new ControlClient(dir.resolve("nothing.sock"));
        ControlClient.UnreachableException e = assertThrows(ControlClient.UnreachableException.class,
                () -> client.get("/v1/status"));
        assertEquals("daemon not running: no control socket at " + dir.resolve("nothing.sock"), e.getMessage());
    }
}
