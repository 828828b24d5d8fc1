package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** start, stop, restart and signal on one worker, one program and all of them. */
class ControlCommandsIT {

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private Status before;

    @BeforeEach
    void twoProgramsRunning() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig("""
                [program.web]
                command = "python3 worker.py"
                numprocs = 2
                startsecs = 0

                [program.jobs]
                command = "python3 worker.py"
                startsecs = 0
                """);
        sandbox.startDaemon();
        before = sandbox.awaitStatus("web and jobs RUNNING", s -> s.running("web", 2) && s.running("jobs", 1));
        // RUNNING comes at once (startsecs = 0); "ready" comes after the worker's SIGUSR1 handler is installed.
        sandbox.await("every worker's \"ready\" line", () -> sandbox.baton("logs", "-n", "50").out(),
                out -> Sandbox.hasLogLine(out, "web:0", "ready") && Sandbox.hasLogLine(out, "web:1", "ready")
                        && Sandbox.hasLogLine(out, "jobs:0", "ready"));
    }

    @Test
    void stopAndStartOfOneWorkerLeaveTheOthersAlone() {
        long old = before.worker("web:1").pid();

        Cli.Result stop = sandbox.baton("stop", "web:1");
        Status stopped = sandbox.status();
        Cli.Result start = sandbox.baton("start", "web:1");
        Status started = sandbox.status();

        assertAll(
                () -> assertEquals(0, stop.exit(), stop::toString),
                () -> assertEquals("web:1: stopped\n", stop.out(), stop::toString),
                () -> assertEquals("STOPPED", stopped.worker("web:1").state()),
                () -> assertEquals(3, stopped.exit(), "status exits 3 while a worker is stopped"),
                () -> assertFalse(Procs.alive(old)),
                () -> assertEquals(0, start.exit(), start::toString),
                () -> assertEquals("web:1: started\n", start.out(), start::toString),
                () -> assertEquals(0, started.exit(), started::toString),
                () -> assertNotEquals(old, started.worker("web:1").pid()),
                () -> assertUntouched(started, "web:0", "jobs:0"));
    }

    @Test
    void restartOfAProgramReplacesEachOfItsWorkersAndNothingElse() {
        Cli.Result restart = sandbox.baton("restart", "web");
        Status after = sandbox.status();

        assertEquals(0, restart.exit(), restart::toString);
        assertEquals(List.of("web:0: started", "web:1: started"), restart.outLines(), restart::toString);
        for (String name : List.of("web:0", "web:1")) {
            assertAll(name,
                    () -> assertTrue(after.worker(name).running(), after::toString),
                    () -> assertNotEquals(before.worker(name).pid(), after.worker(name).pid()),
                    () -> assertFalse(Procs.alive(before.worker(name).pid()), "old process gone"),
                    () -> assertEquals(1, after.worker(name).generation(), "a restart is not a new generation"));
        }
        assertUntouched(after, "jobs:0");
    }

    @Test
    void stopAllAndStartAllCoverEveryWorkerOfEveryProgram() {
        Cli.Result stop = sandbox.baton("stop", "all");
        Status stopped = sandbox.status();
        Cli.Result start = sandbox.baton("start", "all");
        Status started = sandbox.status();

        assertEquals(0, stop.exit(), stop::toString);
        assertEquals(List.of("jobs:0: stopped", "web:0: stopped", "web:1: stopped"),
                stop.outLines().stream().sorted().toList(), stop::toString);
        assertEquals(3, stopped.exit());
        assertTrue(stopped.workers().stream().allMatch(w -> w.state().equals("STOPPED") && w.pid() == 0),
                stopped::toString);
        before.workers().forEach(w -> assertFalse(Procs.alive(w.pid()), w.name() + " process gone"));
        assertEquals(0, start.exit(), start::toString);
        assertEquals(List.of("jobs:0: started", "web:0: started", "web:1: started"),
                start.outLines().stream().sorted().toList(), start::toString);
        assertTrue(started.allRunning(), started::toString);
    }

    @Test
    void startOfARunningWorkerSaysSoAndChangesNothing() {
        Cli.Result start = sandbox.baton("start", "web:0");

        assertEquals(0, start.exit(), start::toString);
        assertEquals("web:0: already running\n", start.out(), start::toString);
        assertUntouched(sandbox.status(), "web:0", "web:1", "jobs:0");
    }

    @Test
    void signalReachesOnlyTheTargetedWorkersWhichLogIt() {
        Cli.Result one = sandbox.baton("signal", "USR1", "web:0");

        assertEquals(0, one.exit(), one::toString);
        assertEquals("web:0: sent SIGUSR1\n", one.out(), one::toString);
        sandbox.await("web:0's \"got SIGUSR1\" line in baton logs",
                () -> sandbox.baton("logs", "-n", "20", "web").out(), out -> Sandbox.hasLogLine(out, "web:0", "got SIGUSR1"));
        assertFalse(Sandbox.read(sandbox.logFile("web", 1, "out")).contains("got SIGUSR1"), "web:1 not signalled");

        Cli.Result byNumber = sandbox.baton("signal", "10", "web:1");
        Cli.Result program = sandbox.baton("signal", "usr1", "jobs");

        assertEquals("web:1: sent SIGUSR1\n", byNumber.out(), byNumber::toString);
        assertEquals("jobs:0: sent SIGUSR1\n", program.out(), program::toString);
        sandbox.await("web:1 and jobs:0 to log SIGUSR1", () -> sandbox.baton("logs", "-n", "50").out(),
                out -> Sandbox.hasLogLine(out, "web:1", "got SIGUSR1") && Sandbox.hasLogLine(out, "jobs:0", "got SIGUSR1"));
        assertUntouched(sandbox.status(), "web:0", "web:1", "jobs:0");
    }

    @Test
    void signalToAStoppedWorkerFailsWithExitOneAndSaysWhy() {
        sandbox.baton("stop", "web:1");

        Cli.Result signal = sandbox.baton("signal", "USR1", "web");

        assertEquals(1, signal.exit(), signal::toString);
        assertEquals("web:0: sent SIGUSR1\n", signal.out(), signal::toString);
        assertEquals("web:1: not running (STOPPED)\n", signal.err(), signal::toString);
    }

    private void assertUntouched(Status now, String... names) {
        for (String name : names) {
            assertTrue(now.worker(name).running(), () -> name + " still RUNNING: " + now);
            assertEquals(before.worker(name).pid(), now.worker(name).pid(), () -> name + " keeps its process");
        }
    }
}
