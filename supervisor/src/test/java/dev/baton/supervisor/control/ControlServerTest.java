package dev.baton.supervisor.control;

import dev.baton.supervisor.Target;
import dev.baton.supervisor.log.LogHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlServerTest {

    @TempDir
    Path dir;

    private static final StatusReply STATUS = new StatusReply(
            new StatusReply.DaemonInfo(1, "dev", "baton.toml", "baton.sock", 5), List.of(), List.of());

    private final ControlApi api = new ControlApi() {
        private CompletableFuture<Results> none() {
            return CompletableFuture.completedFuture(new Results(List.of()));
        }

        @Override public CompletableFuture<StatusReply> status() { return CompletableFuture.completedFuture(STATUS); }
        @Override public CompletableFuture<Results> start(List<Target> t) { return none(); }
        @Override public CompletableFuture<Results> stop(List<Target> t) { return none(); }
        @Override public CompletableFuture<Results> restart(List<Target> t) { return none(); }
        @Override public CompletableFuture<Results> signal(String s, List<Target> t) { return none(); }
        @Override public CompletableFuture<Message> shutdown() {
            return CompletableFuture.completedFuture(new Message("shutting down", 0));
        }
        @Override public CompletableFuture<CompletableFuture<ReloadSummary>> reload(List<String> p, boolean w,
                Consumer<ReloadStep> progress) {
            return CompletableFuture.completedFuture(CompletableFuture.completedFuture(new ReloadSummary(List.of())));
        }
        @Override public CompletableFuture<Void> checkTargets(List<Target> t) {
            return CompletableFuture.completedFuture(null);
        }
        @Override public LogHub logs() { return LogHub.withDefaults(); }
    };

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
            assertEquals(List.of("400 {\"error\":\"invalid target \\\"web:x\\\": after ':' comes a worker index"
                    + " (web:0) or * (web:*) (use all, NAME, NAME:* or NAME:N)\"}"), lines);
            lines.clear();
            assertEquals(200, new ControlClient(socket).stream("POST", "/v1/reload",
                    (code, line) -> lines.add(code + " " + line)));
            assertEquals(List.of("200 {\"summary\":[]}"), lines);
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
