package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A reload's new workers are warmed up before traffic; WebSockets on old workers last until the drain deadline. */
class ReloadWarmupAndWebSocketIT {

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    private String config(String extra) {
        return """
                [program.web]
                command = "python3 proxied.py --port {port}"
                numprocs = 1
                listen = "127.0.0.1:%d"
                health_check = "/healthz"
                %s
                """.formatted(port, extra);
    }

    @Test
    void newWorkersGetTheirWarmupRequestsBeforeAnyClientRequest() {
        sandbox.copyFixture("proxied.py");
        sandbox.writeConfig(config("warmup_path = \"/warm\"\nwarmup_requests = 2"));
        sandbox.startDaemon();
        sandbox.awaitStatus("web:0 HEALTHY", s -> ProxyStatus.healthy(s, "web", 1));

        Cli.Result reload = sandbox.baton("reload");
        assertEquals(0, reload.exit(), reload::toString);
        assertEquals("2", Http.json(Http.get(port, "/first")).get("generation"));

        Path log = sandbox.logFile("web", 0, "out");
        String text = sandbox.awaitInFile(log, "GET /first");
        List<String> requests = text.lines().filter(l -> l.contains("GET /warm") || l.contains("GET /first"))
                .map(l -> l.contains("GET /warm") ? "GET /warm" : "GET /first").toList();
        assertEquals(List.of("GET /warm", "GET /warm", "GET /warm", "GET /warm", "GET /first"), requests,
                "each generation's worker got 2 warm-up requests before the first client request:\n" + text);
    }

    @Test
    void webSocketOnAnOldWorkerStaysOpenUntilTheDrainDeadlineThenClosesWith1001() throws Exception {
        sandbox.copyFixture("proxied.py");
        sandbox.writeConfig(config("stopwaitsecs = 3"));
        sandbox.startDaemon();
        sandbox.awaitStatus("web:0 HEALTHY", s -> ProxyStatus.healthy(s, "web", 1));

        try (WebSocket ws = WebSocket.open(port, "/ws")) {
            assertEquals(101, ws.status(), ws::response);
            long before = System.nanoTime();
            Cli.Result[] reload = new Cli.Result[1];
            Thread reloading = new Thread(() -> reload[0] = sandbox.baton("reload"));
            reloading.start();
            sandbox.awaitStatus("web:0 of generation 1 DRAINING", s -> s.workers().stream()
                    .anyMatch(w -> w.generation() == 1 && w.state().equals("DRAINING")));

            ws.send(WebSocket.TEXT, "still here".getBytes(StandardCharsets.UTF_8));
            WebSocket.Frame echo = ws.receive();
            assertEquals("still here", new String(echo.payload(), StandardCharsets.UTF_8),
                    "the tunnel to the draining worker still works");

            WebSocket.Frame close = ws.receive();
            long heldMillis = (System.nanoTime() - before) / 1_000_000;
            assertEquals(WebSocket.CLOSE, close.opcode());
            assertArrayEquals(new byte[] {0x03, (byte) 0xE9}, close.payload(), "close code 1001, going away");
            assertTrue(heldMillis >= 2_500, "closed at the drain deadline (stopwaitsecs = 3), not before: "
                    + heldMillis + " ms");
            reloading.join(30_000);
            assertEquals(0, reload[0].exit(), reload[0]::toString);
        }
    }
}
