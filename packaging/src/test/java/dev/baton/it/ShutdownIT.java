package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Shutting the daemon down, by command or by signal, leaves no process, no socket and no pid file behind. */
class ShutdownIT {

    private static final Pattern CHILD = Pattern.compile("child pid (\\d+)");

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void shutdownCommandStopsEveryWorkerAndChildRemovesTheSocketAndTheDaemonExitsZero() {
        Daemon daemon = startFamily();
        List<Long> pids = everyPid();

        Cli.Result shutdown = sandbox.baton("shutdown");

        assertEquals(0, shutdown.exit(), shutdown::toString);
        assertEquals("baton: shut down, every worker stopped\n", shutdown.out(), shutdown::toString);
        assertGoneAndClean(daemon, pids);
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void signalToTheDaemonShutsItDownJustAsGracefully(String signal) {
        Daemon daemon = startFamily();
        List<Long> pids = everyPid();

        daemon.signal(signal);

        assertGoneAndClean(daemon, pids);
        assertTrue(daemon.stderr().contains("shutting down (SIG" + signal + "): stopping every worker"),
                daemon::tail);
        assertTrue(daemon.stderr().matches(
                "(?s).*web:0 \\[gen 1\\] STOPPING -> STOPPED pid \\d+: stopped \\(exited with status 0\\).*"),
                () -> "workers got their stop signal and exited cleanly\n" + daemon.tail());
    }

    @Test
    void shutdownWaitsForAWorkerThatIgnoresSigtermThenKillsIt() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.stubborn]
                command = "python3 worker.py --ignore-term"
                startsecs = 0
                stopwaitsecs = 2
                """);
        Daemon daemon = sandbox.startDaemon();
        long pid = sandbox.awaitRunning("stubborn", 1).worker("stubborn:0").pid();
        sandbox.awaitInFile(sandbox.logFile("stubborn", 0, "out"), "ready");

        Cli.Result shutdown = sandbox.baton("shutdown");

        assertEquals(0, shutdown.exit(), shutdown::toString);
        assertTrue(shutdown.millis() >= 2_000, () -> "waited for stopwaitsecs: " + shutdown);
        assertEquals(0, daemon.awaitExit(Sandbox.PATIENCE));
        assertFalse(Procs.alive(pid));
        assertTrue(daemon.stderr().contains("stubborn:0 [gen 1] STOPPING -> STOPPED pid " + pid
                + ": stopped (killed by SIGKILL)"),
                daemon::tail);
    }

    @Test
    void programsStartInPriorityOrderAndStopInTheReverseOrder() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.backend]
                command = "python3 worker.py"
                startsecs = 0
                priority = 1

                [program.frontend]
                command = "python3 worker.py"
                startsecs = 0
                priority = 2
                """);
        Daemon daemon = sandbox.startDaemon();
        sandbox.awaitStatus("both RUNNING", Status::allRunning);

        assertEquals(0, sandbox.baton("shutdown").exit());
        assertEquals(0, daemon.awaitExit(Sandbox.PATIENCE));

        String log = daemon.stderr();
        assertTrue(log.indexOf("backend:0 [gen 1] STOPPED -> STARTING") < log.indexOf("frontend:0 [gen 1] STOPPED -> STARTING"),
                () -> "backend (priority 1) starts first\n" + log);
        int frontendStopped = log.indexOf("frontend:0 [gen 1] STOPPING -> STOPPED");
        int backendStopping = log.indexOf("backend:0 [gen 1] RUNNING -> STOPPING");
        assertTrue(frontendStopped >= 0 && frontendStopped < backendStopping,
                () -> "frontend (priority 2) has stopped before backend is asked to stop\n" + log);
    }

    /** A daemon running two demo HTTP workers and a worker with a child process. */
    private Daemon startFamily() {
        sandbox.copyDemoApp();
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 app.py --port {port}"
                numprocs = 2

                [program.kids]
                command = "python3 worker.py --child"
                startsecs = 0
                """);
        Daemon daemon = sandbox.startDaemon();
        sandbox.awaitStatus("web and kids RUNNING", s -> s.running("web", 2) && s.running("kids", 1));
        sandbox.awaitInFile(sandbox.logFile("kids", 0, "out"), "child pid ");
        return daemon;
    }

    /** Every worker pid in status, plus the child of kids:0. */
    private List<Long> everyPid() {
        List<Long> pids = new ArrayList<>();
        sandbox.status().workers().forEach(w -> pids.add(w.pid()));
        Matcher m = CHILD.matcher(Sandbox.read(sandbox.logFile("kids", 0, "out")));
        assertTrue(m.find());
        pids.add(Long.parseLong(m.group(1)));
        pids.forEach(pid -> assertTrue(Procs.alive(pid), () -> "pid " + pid + " runs before the shutdown"));
        return pids;
    }

    private void assertGoneAndClean(Daemon daemon, List<Long> pids) {
        assertEquals(0, daemon.awaitExit(Sandbox.PATIENCE), daemon::tail);
        sandbox.awaitGone("every worker and child", pids.toArray(Long[]::new));
        assertFalse(Files.exists(sandbox.socket()), "control socket removed");
        assertFalse(Files.exists(sandbox.dir().resolve("baton.sock.pids")), "pid file removed");
        assertEquals(List.of(), Procs.runningIn(sandbox.dir()), "no process left working in the folder");
        Cli.Result status = sandbox.baton("status");
        assertEquals(4, status.exit(), status::toString);
    }
}
