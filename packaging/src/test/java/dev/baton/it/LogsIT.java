package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Worker output: log files per stream, {@code baton logs} with and without -f, rotation, reopening, odd bytes. */
class LogsIT {

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void eachWorkerStreamGoesToItsOwnFileAndRedirectStderrMergesThem() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py --err"
                numprocs = 2
                startsecs = 0

                [program.merged]
                command = "python3 worker.py --err"
                startsecs = 0
                redirect_stderr = true
                """);
        sandbox.startDaemon();
        sandbox.awaitStatus("all RUNNING", Status::allRunning);

        String web0 = sandbox.awaitInFile(sandbox.logFile("web", 0, "out"), "ready");
        String web1 = sandbox.awaitInFile(sandbox.logFile("web", 1, "out"), "ready");
        String merged = sandbox.awaitInFile(sandbox.logFile("merged", 0, "out"), "ready");

        assertAll(
                () -> assertTrue(web0.startsWith("worker 0 pid "), web0),
                () -> assertTrue(web1.startsWith("worker 1 pid "), web1),
                () -> assertFalse(web0.contains("a line on stderr"), "stderr is not in the stdout log"),
                () -> assertEquals("a line on stderr\n", Sandbox.read(sandbox.logFile("web", 0, "err"))),
                () -> assertEquals("a line on stderr\n", Sandbox.read(sandbox.logFile("web", 1, "err"))),
                () -> assertTrue(merged.contains("a line on stderr\n"), merged),
                () -> assertFalse(Files.exists(sandbox.logFile("merged", 0, "err")), "no stderr log when redirected"));
    }

    @Test
    void logsShowsTheLastLinesOfSeveralWorkersInArrivalOrderWithTheirPrefixes() throws Exception {
        sandbox.copyDemoApp();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 app.py --port {port}"
                numprocs = 2
                """);
        Daemon daemon = sandbox.startDaemon();
        Status status = sandbox.awaitRunning("web", 2);
        for (int index = 0; index < 2; index++) { // RUNNING is alive for startsecs, not yet listening
            sandbox.awaitInFile(sandbox.logFile("web", index, "out"), " listening on ");
        }
        HttpClient http = HttpClient.newHttpClient();
        List<String> paths = List.of("/first", "/second", "/third", "/fourth");
        for (int i = 0; i < paths.size(); i++) {
            int index = i % 2;
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + status.worker("web:" + index).port()
                    + paths.get(i))).build(), HttpResponse.BodyHandlers.discarding());
            sandbox.awaitInFile(sandbox.logFile("web", index, "out"), "GET " + paths.get(i) + " ");
        }

        Cli.Result last4 = sandbox.baton("logs", "-n", "4", "web");
        Cli.Result onlyWeb1 = sandbox.baton("logs", "-n", "2", "web:1");
        Cli.Result all = sandbox.baton("logs", "-n", "100");

        assertEquals(0, last4.exit(), last4::toString);
        List<String> lines = last4.outLines();
        assertEquals(4, lines.size(), last4::toString);
        for (int i = 0; i < 4; i++) {
            String line = lines.get(i);
            String prefix = "web:" + (i % 2) + " | 127.0.0.1 \"GET " + paths.get(i) + " HTTP/1.1\" 200";
            assertTrue(line.startsWith(prefix), () -> "line should start with " + prefix + "\n" + last4);
        }
        assertEquals(2, onlyWeb1.outLines().size(), onlyWeb1::toString);
        assertTrue(onlyWeb1.outLines().get(0).contains("GET /second ")
                && onlyWeb1.outLines().get(1).contains("GET /fourth "), onlyWeb1::toString);
        assertFalse(last4.out().contains("\u001b["), "no colour when piped");
        assertTrue(all.out().contains("baton | baton ") && all.out().contains("(pid " + daemon.pid() + ") supervising"),
                () -> "the daemon's own lines come as baton | ...\n" + all);
    }

    @Test
    void logsFollowPrintsALineWrittenAfterItStartedAndEndsWhenTheDaemonShutsDown() throws Exception {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py"
                startsecs = 0
                """);
        Daemon daemon = sandbox.startDaemon();
        sandbox.awaitRunning("web", 1);
        sandbox.awaitInFile(sandbox.logFile("web", 0, "out"), "ready");
        Path followed = sandbox.dir().resolve("follow.out");
        Process follow = Cli.spawn(sandbox.dir(), followed, sandbox.dir().resolve("follow.err"),
                "logs", "-c", sandbox.config().toString(), "-f", "web");
        try {
            sandbox.awaitInFile(followed, "web:0 | ready");
            assertFalse(Sandbox.read(followed).contains("got SIGUSR1"));

            sandbox.baton("signal", "USR1", "web:0");

            sandbox.awaitInFile(followed, "web:0 | got SIGUSR1");
            assertTrue(follow.isAlive(), "logs -f keeps following");
            assertEquals(0, sandbox.baton("shutdown").exit());
            assertEquals(0, daemon.awaitExit(Sandbox.PATIENCE));
            boolean ended = follow.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(ended, "logs -f ends once the daemon is gone");
        } finally {
            Cli.end(follow);
        }
    }

    @Test
    void rotationKeepsExactlyTheConfiguredBackupsEachWithinTheSizeLimit() throws IOException {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py --spam 1000"
                startsecs = 0
                stdout_logfile_maxbytes = "10KB"
                stdout_logfile_backups = 2
                """);
        sandbox.startDaemon();

        sandbox.awaitInFile(sandbox.logFile("web", 0, "out"), "ready");

        List<String> files;
        try (Stream<Path> list = Files.list(sandbox.dir().resolve("logs"))) {
            files = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(List.of("web-0.out.log", "web-0.out.log.1", "web-0.out.log.2"), files,
                "current + 2 backups, and no stderr log since nothing was written there");
        for (String name : files) {
            long size = Files.size(sandbox.dir().resolve("logs").resolve(name));
            assertTrue(size > 0 && size <= 10 * 1024, () -> name + " is " + size + " bytes");
        }
        String current = Sandbox.read(sandbox.logFile("web", 0, "out"));
        String backup1 = Sandbox.read(sandbox.dir().resolve("logs/web-0.out.log.1"));
        String backup2 = Sandbox.read(sandbox.dir().resolve("logs/web-0.out.log.2"));
        assertTrue(current.contains("spam done"), current);
        assertTrue(firstSpam(backup2) < firstSpam(backup1) && firstSpam(backup1) < firstSpam(current),
                "older lines in higher-numbered backups");
        assertTrue(backup1.endsWith("\n") && backup2.endsWith("\n") && backup1.lines().allMatch(l -> l.length() == 99),
                "rotation never cuts a line");
    }

    @Test
    void sigusr1ToTheDaemonReopensLogFilesSoNewLinesGoToAFreshFileAtThePath() throws IOException {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py"
                startsecs = 0
                """);
        Daemon daemon = sandbox.startDaemon();
        Path log = sandbox.logFile("web", 0, "out");
        sandbox.awaitInFile(log, "ready");
        Path moved = log.resolveSibling("web-0.out.log.moved");
        Files.move(log, moved);

        daemon.signal("USR1");
        sandbox.await("the daemon to say it reopened its log files",
                () -> daemon.stderr().contains("log files reopened (SIGUSR1)"));
        sandbox.baton("signal", "USR1", "web:0");

        sandbox.awaitInFile(log, "got SIGUSR1");
        assertEquals("got SIGUSR1\n", Sandbox.read(log), "a fresh file with only the new line");
        assertFalse(Sandbox.read(moved).contains("got SIGUSR1"), "nothing more in the moved file");
        assertTrue(sandbox.status().running("web", 1));
    }

    @Test
    void invalidUtf8AndALastLineWithoutNewlineAreKeptAndBreakNothing() throws IOException {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.raw]
                command = "python3 worker.py --raw"
                startsecs = 0
                autorestart = false

                [program.web]
                command = "python3 worker.py"
                startsecs = 0
                """);
        sandbox.startDaemon();

        Status status = sandbox.awaitStatus("raw:0 EXITED", s -> s.worker("raw:0").state().equals("EXITED"));

        assertEquals("exited with status 0 (expected); last output: no newline at the end",
                status.worker("raw:0").reason());
        byte[] file = Files.readAllBytes(sandbox.logFile("raw", 0, "out"));
        String bytes = new String(file, StandardCharsets.ISO_8859_1);
        assertTrue(bytes.endsWith("bad utf8: \u00ff\u00fe\u00c3 end\nno newline at the end\n"),
                "the file keeps the bytes as they came, the last line completed: " + bytes);
        Cli.Result logs = sandbox.baton("logs", "-n", "10", "raw");
        assertTrue(Sandbox.hasLogLine(logs.out(), "raw:0", "bad utf8: \ufffd\ufffd\ufffd end"), logs::toString);
        assertTrue(Sandbox.hasLogLine(logs.out(), "raw:0", "no newline at the end"), logs::toString);

        sandbox.baton("signal", "USR1", "web:0");
        sandbox.await("web:0 still logging", () -> sandbox.baton("logs", "-n", "10", "web").out(),
                out -> Sandbox.hasLogLine(out, "web:0", "got SIGUSR1"));
        assertTrue(sandbox.status().running("web", 1));
    }

    private static int firstSpam(String log) {
        return log.lines().filter(l -> l.startsWith("spam ")).findFirst()
                .map(l -> Integer.parseInt(l.substring(5, 11))).orElse(Integer.MAX_VALUE);
    }
}
