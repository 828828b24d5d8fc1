package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The listen address and proxy keys as configuration: a port taken at start, and changes applied by SIGHUP. */
class ProxyConfigIT {

    /** How long a new generation has to pass its health check: never below 10 s for a Python process. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    @Test
    void listenPortAlreadyInUseMakesRunExitOneWithOneLineNamingProgramAndAddress() throws IOException {
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            Daemon daemon = runWithListenPortTaken();

            List<String> errors = daemon.stderr().lines().filter(l -> !l.isBlank()).toList();
            assertAll(daemon.tail(),
                    () -> assertEquals(1, daemon.awaitExit(Duration.ofSeconds(1))),
                    () -> assertEquals(1, errors.size(), "one line on stderr"),
                    () -> assertTrue(errors.get(0).contains("program.web"), errors::toString),
                    () -> assertTrue(errors.get(0).contains("127.0.0.1:" + port), errors::toString),
                    () -> assertEquals(List.of(), sandbox.workerProcesses(), "no worker started"),
                    () -> assertFalse(sandbox.reachable(), "no control socket left"));
        }
    }

    /**
     * The reason is the plain one, without the wording of Netty's native transport
     * ({@code bind(..) failed with error(-98): Address already in use}).
     */
    @Test
    void listenPortInUseErrorGivesThePlainReasonWithoutNettyInternals() throws IOException {
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            Daemon daemon = runWithListenPortTaken();

            assertEquals("baton: program.web: cannot listen on 127.0.0.1:" + port + ": address already in use",
                    daemon.stderr().strip());
        }
    }

    /** Runs the daemon on a config whose listen port the caller holds; answers it once it has exited. */
    private Daemon runWithListenPortTaken() {
        sandbox.copyFixture("proxied.py");
        sandbox.writeConfig(config(port, "/healthz"));
        Daemon daemon = sandbox.spawnDaemon();
        daemon.awaitExit(Duration.ofSeconds(20));
        return daemon;
    }

    @Test
    void hupWithANewListenPortRestartsTheProgramServingOnTheNewPortAndClosesTheOldOne() {
        Daemon daemon = startHealthy(config(port, "/healthz"));
        int next = Http.freePort();
        sandbox.writeConfig(config(next, "/healthz"));

        daemon.signal("HUP");

        sandbox.await("GET on the new port " + next + " answered 200 by generation 2",
                () -> Http.accepting(next) && "2".equals(generation(next)));
        sandbox.await("the old port " + port + " closed", () -> !Http.accepting(port));
        Status after = sandbox.awaitStatus("both workers generation 2 and HEALTHY", s -> ProxyStatus.healthy(s,
                "web", 2) && s.program("web").stream().allMatch(w -> w.generation() == 2));
        assertEquals(List.of("127.0.0.1:" + next), ProxyStatus.program(after, "web").get("listen"), after::json);
    }

    /**
     * Proxy keys belong to a generation: the new workers are checked with the new health_check, the old ones keep
     * theirs, and a rollback leaves generation 1 as it was, still serving.
     */
    @Test
    void hupWithANewHealthCheckThatNoWorkerPassesRollsBackAndGenerationOneKeepsServingUnderItsOwnCheck() {
        Daemon daemon = startHealthy(config(port, "/healthz"));

        sandbox.writeConfig(config(port, "/fail"));
        daemon.signal("HUP");
        sandbox.await("the reload to generation 2 rolled back after start_timeout (its workers never pass /fail)",
                START_TIMEOUT.plus(Sandbox.PATIENCE),
                () -> daemon.stderr().contains("rolled back, generation 1 keeps serving"));
        Status rolledBack = sandbox.awaitStatus("generation 1 alone, still HEALTHY under its own check",
                s -> ProxyStatus.healthy(s, "web", 2) && s.program("web").stream().allMatch(w -> w.generation() == 1));
        String servedAfterRollback = generation(port);

        sandbox.writeConfig(config(port, "/ready"));
        daemon.signal("HUP");
        sandbox.awaitStatus("generation 3 HEALTHY", s -> ProxyStatus.healthy(s, "web", 2)
                && s.program("web").stream().allMatch(w -> w.generation() == 3));

        assertEquals("1", servedAfterRollback, rolledBack::json);
        assertEquals("3", generation(port));
    }

    /**
     * A client connection accepted before a SIGHUP that changes the program's proxy keys (here health_check) goes on
     * across the reload: its next request is served by the new generation, or it was closed between requests; it is
     * never left with no backend to answer 503.
     */
    @Test
    void keepAliveConnectionOpenedBeforeAReloadIsNotAnswered503Afterwards() throws IOException {
        Daemon daemon = startHealthy(config(port, "/healthz"));
        try (Http.Connection connection = new Http.Connection(port)) {
            Http.Raw before = connection.get("/before");
            sandbox.writeConfig(config(port, "/ready"));

            daemon.signal("HUP");
            sandbox.awaitStatus("generation 2 HEALTHY", s -> ProxyStatus.healthy(s, "web", 2)
                    && s.program("web").stream().allMatch(w -> w.generation() == 2));
            sandbox.await("a new connection served by generation 2", () -> "2".equals(generation(port)));
            Http.Raw after = connection.get("/after");

            assertEquals(200, before.status(), before::head);
            assertTrue(after == null || after.status() == 200,
                    () -> "the old connection is either closed or served by the new generation: " + after);
        }
    }

    private Daemon startHealthy(String config) {
        sandbox.copyFixture("proxied.py");
        sandbox.writeConfig(config);
        Daemon daemon = sandbox.startDaemon();
        sandbox.awaitStatus("2 web workers HEALTHY", s -> ProxyStatus.healthy(s, "web", 2));
        assertEquals("1", generation(port));
        return daemon;
    }

    /**
     * The generation of the worker that answered a GET on {@code port}, on a connection of its own (curl); null when
     * the answer was not a 200.
     */
    private static String generation(int port) {
        Cli.Result curl = Http.curl("-w", "\\n%{http_code}", "http://127.0.0.1:" + port + "/");
        List<String> lines = curl.outLines();
        if (curl.exit() != 0 || lines.isEmpty() || !lines.get(lines.size() - 1).equals("200")) {
            return null;
        }
        return String.valueOf(Json.object(lines.get(0)).get("generation"));
    }

    private static String config(int port, String healthCheck) {
        return """
                [program.web]
                command = "python3 proxied.py --port {port}"
                numprocs = 2
                listen = "127.0.0.1:%d"
                health_check = "%s"
                queue_timeout = "1s"
                start_timeout = "%ds"
                """.formatted(port, healthCheck, START_TIMEOUT.toSeconds());
    }
}
