package dev.baton.supervisor;

import dev.baton.conf.ConfigLoader;
import dev.baton.conf.ProgramConfig;
import dev.baton.supervisor.control.Json;
import dev.baton.supervisor.events.Event;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code event_command} events a worker's transitions make ({@link Event#of}), on the real state machine. */
class WorkerEventsTest {

    @TempDir
    Path dir;

    private final ManualLoop loop = new ManualLoop();
    private final FakeLauncher launcher = new FakeLauncher();
    private final List<Event> events = new ArrayList<>();
    private LogFiles logFiles;
    private WorkerContext ctx;

    @BeforeEach
    void setUp() {
        logFiles = new LogFiles(dir.resolve("logs"));
        ctx = new WorkerContext(launcher, loop, logFiles, LogHub.withDefaults(), false, dir.resolve("workers"),
                Map.of("PATH", "/usr/bin:/bin"), change -> Event.of(change, loop.nowMillis()).ifPresent(events::add));
    }

    @AfterEach
    void tearDown() {
        logFiles.close();
    }

    private Worker running(String settings) throws Exception {
        String toml = "[program.web]\ncommand = \"app\"\nstartsecs = 1\n" + settings;
        ProgramConfig config = ConfigLoader.parse(toml, dir.resolve("baton.toml"), Map.of()).programs().get(0);
        Worker w = new Worker(Generation.first(config, 3), 1, ctx);
        w.start();
        loop.advance(1_000);
        assertEquals(WorkerState.RUNNING, w.state());
        return w;
    }

    @Test
    void killedWorkerMakesAnExitedEventWithItsSignalAndPidThenARestartedOneWithTheNewPid() throws Exception {
        running("");
        int victim = launcher.last().pid;
        launcher.last().exit(ExitStatus.killed(9));
        loop.runPending();

        assertEquals(1, events.size(), events::toString);
        String reason = events.get(0).reason(); // the restart delay is jittered
        assertTrue(reason.matches("killed by SIGKILL; restarting in 0\\.\\ds"), reason);
        assertEquals("{\"time\":\"1970-01-01T00:16:41.000Z\",\"event\":\"exited\",\"program\":\"web\","
                + "\"worker\":\"web:1\",\"generation\":3,\"pid\":" + victim + ",\"state\":\"EXITED\","
                + "\"reason\":\"" + reason + "\",\"exit_status\":\"signal 9 (KILL)\","
                + "\"message\":\"web:1 [gen 3] RUNNING -> EXITED pid " + victim + ": " + reason + "\"}",
                Json.write(events.get(0)));

        loop.advance(loop.nextTimerIn());
        assertEquals(2, events.size(), events::toString);
        Event restarted = events.get(1);
        assertEquals("restarted", restarted.event());
        assertEquals(launcher.last().pid, restarted.pid());
        assertTrue(restarted.pid() != victim);
        assertEquals("STARTING", restarted.state());
        assertNull(restarted.reason());
        assertNull(restarted.exitStatus());
    }

    @Test
    void exitCodeIsWrittenAsExitN() throws Exception {
        running("autorestart = false");
        launcher.last().exit(ExitStatus.exited(3));
        loop.runPending();

        Event exited = events.get(0);
        assertEquals("exit 3", exited.exitStatus());
        assertEquals("exited with status 3", exited.reason());
    }

    @Test
    void failedStartsMakeBackoffAndRestartedEventsThenFatal() throws Exception {
        running("startretries = 1");
        launcher.last().exit(ExitStatus.killed(9));
        loop.runPending();
        loop.advance(loop.nextTimerIn()); // restarted
        launcher.last().exit(ExitStatus.exited(1));
        loop.runPending();
        loop.advance(loop.nextTimerIn()); // retried
        launcher.last().exit(ExitStatus.exited(1));
        loop.runPending();

        assertEquals(List.of("exited", "restarted", "backoff", "restarted", "fatal"),
                events.stream().map(Event::event).toList());
        Event backoff = events.get(2);
        assertEquals("exit 1", backoff.exitStatus());
        assertTrue(backoff.reason().startsWith("exited too quickly: exited with status 1; retrying in"),
                backoff.reason());
        Event fatal = events.get(4);
        assertEquals("FATAL", fatal.state());
        assertEquals("gave up after 2 failed starts: exited too quickly: exited with status 1", fatal.reason());
    }

    @Test
    void workerThatCannotBeSpawnedMakesABackoffEventWithoutPidOrExitStatus() throws Exception {
        running("");
        launcher.last().exit(ExitStatus.exited(2));
        loop.runPending();
        launcher.failWith = "command not found: app";
        loop.advance(loop.nextTimerIn());

        Event backoff = events.get(events.size() - 1);
        assertEquals("backoff", backoff.event());
        assertNull(backoff.pid());
        assertNull(backoff.exitStatus());
        assertTrue(backoff.reason().startsWith("cannot start: command not found: app; retrying in"), backoff.reason());
    }

    @Test
    void workersBatonStopsOnPurposeMakeNoEvent() throws Exception {
        Worker stopped = running("");
        stopped.stop();
        launcher.last().exit(ExitStatus.killed(15));
        loop.runPending();
        Worker drained = running("");
        drained.drain(true, "replaced by generation 4");
        drained.drained();
        launcher.last().exit(ExitStatus.exited(0));
        loop.runPending();
        Worker restarted = running("");
        restarted.restart();
        launcher.last().exit(ExitStatus.killed(15));
        loop.runPending();

        assertEquals(WorkerState.STOPPED, stopped.state());
        assertEquals(WorkerState.STOPPED, drained.state());
        assertEquals(WorkerState.STARTING, restarted.state());
        assertEquals(List.of(), events);
    }
}
