package dev.baton.supervisor;

import dev.baton.conf.ConfigLoader;
import dev.baton.conf.ProgramConfig;
import dev.baton.supervisor.log.LogFiles;
import dev.baton.supervisor.log.LogHub;
import dev.baton.supervisor.process.ExitStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerStateMachineTest {

    @TempDir
    Path dir;

    private final ManualLoop loop = new ManualLoop();
    private final FakeLauncher launcher = new FakeLauncher();
    private final List<String> transitions = new ArrayList<>();
    private LogFiles logFiles;
    private WorkerContext ctx;

    @BeforeEach
    void setUp() {
        logFiles = new LogFiles(dir.resolve("logs"));
        ctx = new WorkerContext(launcher, loop, logFiles, LogHub.withDefaults(), false, dir.resolve("workers"),
                Map.of("PATH", "/usr/bin:/bin"), change -> transitions.add(change.to().name()));
    }

    @AfterEach
    void tearDown() {
        logFiles.close();
    }

    private Worker worker(String settings) throws Exception {
        String toml = "[program.web]\ncommand = \"app --port {port} --n {worker} --g {generation}\"\n" + settings;
        ProgramConfig config = ConfigLoader.parse(toml, dir.resolve("baton.toml"), Map.of()).programs().get(0);
        return new Worker(Generation.first(config, 7), 2, ctx);
    }

    @Test
    void startsecsElapsedMovesStartingToRunning() throws Exception {
        Worker w = worker("startsecs = 2");
        w.start();
        assertEquals(WorkerState.STARTING, w.state());
        loop.advance(1_999);
        assertEquals(WorkerState.STARTING, w.state());
        loop.advance(1);
        assertEquals(WorkerState.RUNNING, w.state());
        assertEquals(List.of("STARTING", "RUNNING"), transitions);
    }

    @Test
    void placeholdersAndBatonVariablesReachTheProcess() throws Exception {
        Worker w = worker("environment = { LISTEN = \"127.0.0.1:{port}\" }");
        w.start();
        FakeLauncher.FakeChild child = launcher.last();
        String port = child.spec.environment().get("BATON_PORT");
        assertTrue(Integer.parseInt(port) > 0);
        assertEquals(List.of("app", "--port", port, "--n", "2", "--g", "7"), child.spec.command());
        assertEquals("127.0.0.1:" + port, child.spec.environment().get("LISTEN"));
        assertEquals("2", child.spec.environment().get("BATON_WORKER"));
        assertEquals("7", child.spec.environment().get("BATON_GENERATION"));
        assertEquals("1", child.spec.environment().get("PYTHONUNBUFFERED"));
        assertEquals(Integer.parseInt(port), w.status().port());
    }

    @Test
    void exitDuringStartupBacksOffThenGoesFatalAfterStartretries() throws Exception {
        Worker w = worker("startretries = 2");
        w.start();
        launcher.last().print("ImportError: no module named app\n");
        launcher.last().exit(ExitStatus.exited(1));
        loop.runPending();
        assertEquals(WorkerState.BACKOFF, w.state());
        assertTrue(w.status().reason().contains("exited with status 1"), w.status().reason());
        assertTrue(w.status().reason().contains("ImportError"), w.status().reason());

        long firstDelay = loop.nextTimerIn();
        assertTrue(firstDelay >= 800 && firstDelay <= 1200, "first backoff " + firstDelay);
        loop.advance(firstDelay);
        assertEquals(WorkerState.STARTING, w.state());
        launcher.last().exit(ExitStatus.exited(1));
        loop.runPending();
        long secondDelay = loop.nextTimerIn();
        assertTrue(secondDelay >= 1600 && secondDelay <= 2400, "second backoff " + secondDelay);
        loop.advance(secondDelay);
        launcher.last().exit(ExitStatus.exited(1));
        loop.runPending();

        assertEquals(WorkerState.FATAL, w.state());
        assertEquals(3, launcher.started.size());
        assertTrue(w.status().reason().startsWith("gave up after 3 failed starts"), w.status().reason());
        assertEquals(-1, loop.nextTimerIn(), "FATAL schedules nothing");
    }

    @Test
    void spawnErrorCountsAsFailedStartWithItsReason() throws Exception {
        Worker w = worker("startretries = 0");
        launcher.failWith = "command not found: app";
        w.start();
        assertEquals(WorkerState.FATAL, w.state());
        assertTrue(w.status().reason().endsWith("cannot start: command not found: app"), w.status().reason());
    }

    @Test
    void crashWhileRunningRestartsAndBackoffGrowsWithTheStreak() throws Exception {
        Worker w = worker("startsecs = 1");
        w.start();
        loop.advance(1_000);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            assertEquals(WorkerState.RUNNING, w.state());
            launcher.last().exit(ExitStatus.killed(9));
            loop.runPending();
            assertEquals(WorkerState.EXITED, w.state());
            assertTrue(w.status().reason().startsWith("killed by SIGKILL"), w.status().reason());
            delays.add(loop.nextTimerIn());
            loop.advance(loop.nextTimerIn());
            assertEquals(WorkerState.STARTING, w.state());
            loop.advance(1_000);
        }
        assertTrue(delays.get(0) <= 100, "first crash restarts at once: " + delays);
        assertTrue(delays.get(1) >= 400 && delays.get(2) > delays.get(1) && delays.get(3) > delays.get(2),
                "backoff grows: " + delays);
        assertEquals(4, w.status().restarts());
    }

    @Test
    void crashAfterAStableRunRestartsAtOnce() throws Exception {
        Worker w = worker("");
        w.start();
        loop.advance(1_000);
        launcher.last().exit(ExitStatus.exited(3));
        loop.runPending();
        loop.advance(loop.nextTimerIn());
        loop.advance(1_000);
        launcher.last().exit(ExitStatus.exited(3));
        loop.runPending();
        loop.advance(loop.nextTimerIn());
        loop.advance(Backoff.STABLE_MILLIS);
        launcher.last().exit(ExitStatus.exited(3));
        loop.runPending();
        assertTrue(loop.nextTimerIn() <= 100, "streak forgotten after a stable run: " + loop.nextTimerIn());
    }

    @Test
    void expectedExitCodeWithAutorestartUnexpectedStaysExited() throws Exception {
        Worker w = worker("exitcodes = [0, 3]");
        w.start();
        loop.advance(1_000);
        launcher.last().exit(ExitStatus.exited(3));
        loop.runPending();
        assertEquals(WorkerState.EXITED, w.state());
        assertEquals(-1, loop.nextTimerIn());
        assertTrue(w.status().reason().contains("(expected)"));
    }

    @Test
    void signalDeathIsNeverAnExpectedExitEvenWhenItsNumberIsListed() throws Exception {
        Worker w = worker("exitcodes = [0, 15]");
        w.start();
        loop.advance(1_000);
        launcher.last().exit(ExitStatus.killed(15));
        loop.runPending();
        assertTrue(loop.nextTimerIn() >= 0, "killed by SIGTERM is unexpected, so it restarts");
    }

    @Test
    void autorestartFalseNeverRestarts() throws Exception {
        Worker w = worker("autorestart = false");
        w.start();
        loop.advance(1_000);
        launcher.last().exit(ExitStatus.exited(1));
        loop.runPending();
        assertEquals(WorkerState.EXITED, w.state());
        assertEquals(-1, loop.nextTimerIn());
    }

    @Test
    void stopSendsStopSignalToTheGroupThenSigkillAfterStopwaitsecs() throws Exception {
        Worker w = worker("stopsignal = \"INT\"\nstopwaitsecs = 3");
        w.start();
        loop.advance(1_000);
        FakeLauncher.FakeChild child = launcher.last();
        assertTrue(child.killGroupOnExit);
        w.stop();
        assertEquals(WorkerState.STOPPING, w.state());
        assertEquals(List.of("group INT"), child.signals);
        loop.advance(2_999);
        assertEquals(List.of("group INT"), child.signals);
        loop.advance(1);
        assertEquals(List.of("group INT", "group KILL"), child.signals);
        child.exit(ExitStatus.killed(9));
        loop.runPending();
        assertEquals(WorkerState.STOPPED, w.state());
        assertEquals(1, launcher.started.size(), "a stopped worker is not restarted");
    }

    @Test
    void secondStopWhileStoppingKeepsTheSigkillDeadline() throws Exception {
        Worker w = worker("stopwaitsecs = 3");
        w.start();
        w.stop();
        loop.advance(2_000);
        w.stop();
        loop.advance(1_000);
        assertEquals(List.of("group TERM", "group KILL"), launcher.last().signals);
    }

    @Test
    void stopasgroupFalseSignalsOnlyTheLeader() throws Exception {
        Worker w = worker("stopasgroup = false\nkillasgroup = false\nstopwaitsecs = 1");
        w.start();
        w.stop();
        loop.advance(1_000);
        assertEquals(List.of("TERM", "KILL"), launcher.last().signals);
        assertTrue(!launcher.last().killGroupOnExit);
    }

    @Test
    void stopDuringBackoffCancelsTheRetry() throws Exception {
        Worker w = worker("");
        w.start();
        launcher.last().exit(ExitStatus.exited(1));
        loop.runPending();
        assertEquals(WorkerState.BACKOFF, w.state());
        w.stop();
        assertEquals(WorkerState.STOPPED, w.state());
        loop.advance(60_000);
        assertEquals(1, launcher.started.size());
    }

    @Test
    void exitOfAReplacedProcessIsIgnored() throws Exception {
        Worker w = worker("startsecs = 0");
        w.start();
        FakeLauncher.FakeChild first = launcher.last();
        w.stop();
        first.exit(ExitStatus.exited(0));
        loop.runPending();
        w.start();
        first.exit(ExitStatus.exited(0)); // a duplicate report about the old process
        loop.runPending();
        assertEquals(WorkerState.RUNNING, w.state());
        assertEquals(2, launcher.started.size());
    }

    @Test
    void startWhileStoppingStartsAgainOnceStopped() throws Exception {
        Worker w = worker("startsecs = 0");
        w.start();
        w.stop();
        w.start();
        assertEquals(WorkerState.STOPPING, w.state());
        launcher.last().exit(ExitStatus.killed(15));
        loop.runPending();
        assertEquals(WorkerState.RUNNING, w.state());
        assertEquals(2, launcher.started.size());
    }

    @Test
    void manualStartAfterFatalTriesAgainWithFreshRetries() throws Exception {
        Worker w = worker("startretries = 0");
        w.start();
        launcher.last().exit(ExitStatus.exited(1));
        loop.runPending();
        assertEquals(WorkerState.FATAL, w.state());
        w.start();
        assertEquals(WorkerState.STARTING, w.state());
        loop.advance(1_000);
        assertEquals(WorkerState.RUNNING, w.state());
    }

    @Test
    void awaitCompletesOnTheFirstMatchingTransition() throws Exception {
        Worker w = worker("");
        var running = w.await(s -> s == WorkerState.RUNNING);
        w.start();
        assertTrue(!running.isDone());
        loop.advance(1_000);
        assertEquals(WorkerState.RUNNING, running.getNow(null));
    }
}
