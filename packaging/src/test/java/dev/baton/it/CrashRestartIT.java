package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Workers that die: restarted when they crash, given up on when they cannot start, never restarted in a spin. */
class CrashRestartIT {

    private static final Pattern STARTED = Pattern.compile("worker \\d+ pid \\d+ started at (\\d+\\.\\d+)");

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void workerKilledWithSigkillIsReplacedByANewProcessAndCountsOneRestart() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py"
                numprocs = 2
                """);
        sandbox.startDaemon();
        Status before = sandbox.awaitRunning("web", 2);
        long victim = before.worker("web:0").pid();

        assertTrue(Procs.signal(victim, "KILL"));

        Status after = sandbox.awaitStatus("web:0 RUNNING again with a new pid", s -> s.running("web", 2)
                && s.worker("web:0").pid() != victim);
        assertAll(
                () -> assertEquals(1, after.worker("web:0").restarts(), after::toString),
                () -> assertTrue(Procs.alive(after.worker("web:0").pid())),
                () -> assertTrue(!Procs.alive(victim), "the killed process is gone"),
                () -> assertEquals(before.worker("web:1").pid(), after.worker("web:1").pid(), "web:1 untouched"),
                () -> assertEquals(0, after.worker("web:1").restarts()));
        Cli.Result logs = sandbox.baton("logs", "-n", "200");
        assertTrue(logs.out().contains("baton | web:0 [gen 1] RUNNING -> EXITED pid " + victim
                + ": killed by SIGKILL; restarting in"),
                logs::toString);
    }

    @Test
    void workerThatAlwaysFailsAtStartupIsFatalAfterStartretriesPlusOneAttemptsWithItsLastOutput() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py --exit 1"
                startsecs = 10
                startretries = 2
                """);
        sandbox.startDaemon();

        Status fatal = sandbox.awaitStatus("web:0 FATAL", s -> s.worker("web:0").state().equals("FATAL"));

        assertEquals(3, fatal.exit());
        assertEquals("gave up after 3 failed starts: exited too quickly: exited with status 1;"
                + " last output: exiting with status 1", fatal.worker("web:0").reason());
        assertEquals(3, starts(sandbox.logFile("web", 0, "out")).size(), "startretries + 1 attempts");
        Cli.Result table = sandbox.baton("status");
        assertEquals(3, table.exit(), table::toString);
        assertTrue(table.out().contains("FATAL") && table.out().contains("last output: exiting with status 1"),
                table::toString);
    }

    @Test
    void crashLoopBacksOffInsteadOfSpinning() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py --exit 3"
                startsecs = 0
                autorestart = true
                """);
        sandbox.startDaemon();
        Path log = sandbox.logFile("web", 0, "out");

        // Wait for the first start that comes 3 s or more after the first one: the loop does go on.
        List<Double> starts = sandbox.await("a restart 3 s after the first start", () -> starts(log),
                s -> s.size() > 1 && s.get(s.size() - 1) - s.get(0) >= 3.0);

        long inFirstThreeSeconds = starts.stream().filter(t -> t - starts.get(0) < 3.0).count();
        assertTrue(inFirstThreeSeconds <= 6, () -> inFirstThreeSeconds + " starts in 3 s: " + starts);
        double lastGap = starts.get(starts.size() - 1) - starts.get(starts.size() - 2);
        assertTrue(lastGap >= 1.0, () -> "the gap between restarts grows; last one " + lastGap + " s: " + starts);
        Status status = sandbox.status();
        assertTrue(status.worker("web:0").restarts() >= starts.size() - 1, status::toString);
    }

    @Test
    void crashedWorkerShowsWhyAndWhenItRestartsWhileWaiting() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py --exit 3"
                startsecs = 0
                autorestart = true
                """);
        sandbox.startDaemon();

        Status waiting = sandbox.awaitStatus("web:0 EXITED with a restart pending", s -> s.worker("web:0").state()
                .equals("EXITED") && s.worker("web:0").reason().contains("restarting in"));

        assertEquals(3, waiting.exit());
        assertTrue(waiting.worker("web:0").reason().matches("exited with status 3; last output: exiting with"
                + " status 3; restarting in \\d+\\.\\ds"), waiting::toString);
    }

    @Test
    void expectedExitIsNotRestartedButAnUnexpectedOneIs() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.done]
                command = "python3 worker.py --exit 0"
                startsecs = 0

                [program.crash]
                command = "python3 worker.py --exit 2"
                startsecs = 0
                """);
        sandbox.startDaemon();

        sandbox.awaitStatus("crash:0 restarted twice", s -> s.worker("crash:0").restarts() >= 2);
        Status status = sandbox.awaitStatus("done:0 EXITED", s -> s.worker("done:0").state().equals("EXITED"));

        Status.Worker done = status.worker("done:0");
        assertAll(
                () -> assertEquals("exited with status 0 (expected); last output: exiting with status 0",
                        done.reason()),
                () -> assertEquals(0, done.restarts()),
                () -> assertEquals(1, starts(sandbox.logFile("done", 0, "out")).size()),
                () -> assertNotEquals(0, status.worker("crash:0").restarts()));
    }

    /** The start times the fixture printed, in seconds since the epoch. */
    private static List<Double> starts(Path log) {
        Matcher m = STARTED.matcher(Sandbox.read(log));
        return m.results().map(r -> Double.parseDouble(r.group(1))).toList();
    }
}
