package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Starting workers and reading their status: real Python HTTP workers on the ports Baton assigns. */
class StartAndStatusIT {

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void everyWorkerRunsInItsOwnProcessGroupAndAnswersHttpOnItsPortWithItsIndex() {
        sandbox.copyDemoApp();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 app.py --port {port}"
                numprocs = 3
                """);
        Daemon daemon = sandbox.startDaemon();

        Status status = sandbox.awaitRunning("web", 3);

        assertEquals(0, status.exit(), status::toString);
        assertEquals(daemon.pid(), status.daemonPid(), "status names the daemon's pid");
        Set<Long> pids = status.workers().stream().map(Status.Worker::pid).collect(Collectors.toSet());
        Set<Integer> ports = status.workers().stream().map(Status.Worker::port).collect(Collectors.toSet());
        assertEquals(3, pids.size(), () -> "distinct pids: " + status);
        assertEquals(3, ports.size(), () -> "distinct ports: " + status);
        for (Status.Worker w : status.workers()) {
            // RUNNING means up for startsecs (1 s), not listening yet: a loaded machine may take longer to import
            sandbox.await(w.name() + " listening on its port " + w.port(), () -> Http.accepting(w.port()));
            Map<String, Object> answer = Json.object(get(w.port(), "/"));
            assertAll(w.name(),
                    () -> assertEquals(w.pid(), ((Number) answer.get("pid")).longValue(), "the pid status shows serves"),
                    () -> assertEquals(String.valueOf(w.index()), answer.get("worker")),
                    () -> assertEquals("1", answer.get("generation")),
                    () -> assertEquals(w.pid(), Procs.pgid(w.pid()), "worker leads its own process group"),
                    () -> assertEquals("ok\n", get(w.port(), "/healthz")));
        }
    }

    @Test
    void statusTableHasOneLinePerWorkerWithStatePidAndPort() {
        sandbox.copyDemoApp();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 app.py --port {port}"
                numprocs = 2
                """);
        sandbox.startDaemon();
        Status status = sandbox.awaitRunning("web", 2);

        Cli.Result table = sandbox.baton("status");

        assertEquals(0, table.exit(), table::toString);
        List<String> lines = table.outLines();
        assertEquals(3, lines.size(), table::toString);
        assertTrue(lines.get(0).matches("NAME\\s+STATE\\s+PID\\s+GEN\\s+UPTIME\\s+INFO\\s*"), table::toString);
        for (int i = 0; i < 2; i++) {
            Status.Worker w = status.worker("web:" + i);
            assertTrue(lines.get(i + 1).matches("web:" + i + "\\s+RUNNING\\s+" + w.pid() + "\\s+1\\s+\\d+:\\d\\d:\\d\\d\\s+port "
                    + w.port() + "\\s*"), table::toString);
        }
    }

    @Test
    void jsonStatusDescribesTheDaemonItsConfigAndSocket() {
        sandbox.writeConfig("");
        Daemon daemon = sandbox.startDaemon();

        Cli.Result json = sandbox.baton("status", "--json");
        Cli.Result table = sandbox.baton("status");

        assertEquals(0, json.exit(), json::toString);
        Map<?, ?> info = (Map<?, ?>) Json.object(json.out()).get("daemon");
        assertAll(
                () -> assertEquals(daemon.pid(), ((Number) info.get("pid")).longValue()),
                () -> assertEquals(sandbox.config().toString(), info.get("config")),
                () -> assertEquals(sandbox.socket().toString(), info.get("socket")),
                () -> assertTrue(((Number) info.get("uptime_ms")).longValue() >= 0),
                () -> assertEquals(List.of(), Json.object(json.out()).get("workers")),
                () -> assertEquals("no programs configured", table.out().strip(), table::toString));
    }

    @Test
    void controlSocketIsOnlyReadableAndWritableByItsOwner() throws IOException {
        sandbox.writeConfig("");
        sandbox.startDaemon();

        assertTrue(Files.readAttributes(sandbox.socket(), BasicFileAttributes.class).isOther(), "a socket, not a file");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sandbox.socket())));
    }

    @Test
    void spawnErrorsShowAsFatalWithAPreciseReasonAndOnlyShownWorkersDecideTheExitCode() throws IOException {
        sandbox.copyWorkerFixture();
        sandbox.write("not-executable.sh", "#!/bin/sh\nexec sleep 60\n");
        sandbox.writeConfig("""
                [program.ok]
                command = "python3 worker.py"
                startsecs = 0

                [program.nocmd]
                command = "no-such-command-xyz --flag"
                startretries = 0

                [program.nodir]
                command = "python3 worker.py"
                directory = "missing-folder"
                startretries = 0

                [program.noexec]
                command = "./not-executable.sh"
                startretries = 0
                """);
        sandbox.startDaemon();

        Status status = sandbox.awaitStatus("the broken programs FATAL, ok RUNNING", s -> s.running("ok", 1)
                && s.program("nocmd").get(0).state().equals("FATAL")
                && s.program("nodir").get(0).state().equals("FATAL")
                && s.program("noexec").get(0).state().equals("FATAL"));

        assertEquals(3, status.exit(), status::toString);
        assertAll(
                () -> assertTrue(status.worker("nocmd:0").reason()
                        .contains("cannot start: command not found: no-such-command-xyz"), status::toString),
                () -> assertTrue(status.worker("nodir:0").reason().contains("cannot start: directory "
                        + sandbox.dir().resolve("missing-folder") + " does not exist"), status::toString),
                () -> assertTrue(status.worker("noexec:0").reason().contains("cannot start: permission denied: "
                        + sandbox.dir().resolve("not-executable.sh")), status::toString),
                () -> assertEquals(0, status.worker("nocmd:0").pid()));

        Cli.Result table = sandbox.baton("status");
        Cli.Result onlyOk = sandbox.baton("status", "ok");
        Cli.Result start = sandbox.baton("start", "nocmd");
        assertAll(
                () -> assertEquals(3, table.exit(), table::toString),
                () -> assertTrue(table.out().contains("command not found: no-such-command-xyz"), table::toString),
                () -> assertEquals(0, onlyOk.exit(), onlyOk::toString),
                () -> assertEquals(1, start.exit(), start::toString),
                () -> assertTrue(start.err().startsWith("nocmd:0: FATAL: ")
                        && start.err().contains("command not found: no-such-command-xyz"), start::toString));
    }

    @Test
    void startsecsKeepsAWorkerStartingUntilItHasStayedUpThatLong() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.slow]
                command = "python3 worker.py"
                startsecs = 3
                """);
        sandbox.startDaemon();

        Status starting = sandbox.awaitStatus("slow:0 STARTING with a pid",
                s -> s.worker("slow:0").state().equals("STARTING") && s.worker("slow:0").pid() > 0);
        Status running = sandbox.awaitRunning("slow", 1);

        assertEquals(3, starting.exit(), "status exits 3 while a worker is STARTING");
        assertEquals(starting.worker("slow:0").pid(), running.worker("slow:0").pid(), "the same process");
        assertNotEquals(0, running.worker("slow:0").pid());
    }

    private String get(int port, String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Http.TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), () -> "GET " + path + " on port " + port);
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " on port " + port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
