package dev.baton.supervisor;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
import dev.baton.supervisor.events.Event;
import dev.baton.supervisor.events.ReloadEvents;
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
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The {@code event_command} events of a reload ({@link ReloadEvents}), on the real reload state machine. */
class ReloadEventsTest {

    @TempDir
    Path dir;

    private final ManualLoop loop = new ManualLoop();
    private final FakeLauncher launcher = new FakeLauncher();
    private final List<Event> events = new ArrayList<>();
    private final List<ReloadEvent> steps = new ArrayList<>();
    private LogFiles logFiles;
    private Supervisor supervisor;

    @BeforeEach
    void setUp() {
        logFiles = new LogFiles(dir.resolve("logs"));
        WorkerContext ctx = new WorkerContext(launcher, loop, logFiles, LogHub.withDefaults(), false,
                dir.resolve("workers"), Map.of("PATH", "/usr/bin:/bin"), change -> { });
        supervisor = new Supervisor(ctx, new FakeTraffic());
    }

    @AfterEach
    void tearDown() {
        logFiles.close();
    }

    private BatonConfig config(String version, int numprocs) throws Exception {
        return ConfigLoader.parse("[program.web]\ncommand = \"web " + version + "\"\nnumprocs = " + numprocs + "\n",
                dir.resolve("baton.toml"), Map.of());
    }

    private List<ReloadResult> reload(BatonConfig next, Runnable meanwhile) {
        ReloadEvents reloadEvents = new ReloadEvents(events::add, loop::nowMillis);
        CompletableFuture<List<ReloadResult>> result = supervisor.reload(next, List.of(),
                reloadEvents.watching(steps::add));
        loop.advance(0);
        meanwhile.run();
        loop.advance(2_000);
        for (FakeLauncher.FakeChild c : new ArrayList<>(launcher.started)) {
            if (!c.signals.isEmpty()) {
                c.exit(ExitStatus.exited(0));
            }
        }
        loop.advance(0);
        List<ReloadResult> results = result.getNow(null);
        reloadEvents.ended(results);
        return results;
    }

    @Test
    void reloadThatEndsWellMakesReloadStartedThenReloaded() throws Exception {
        supervisor.boot(config("v1", 2));
        loop.advance(1_000);

        reload(config("v2", 2), () -> { });

        assertEquals(List.of("reload_started", "reloaded"), events.stream().map(Event::event).toList());
        assertEquals(2, events.get(0).generation());
        assertEquals("web: reloading to generation 2 (surge, 2 workers)", events.get(0).message());
        Event reloaded = events.get(1);
        assertEquals("web", reloaded.program());
        assertEquals(2, reloaded.generation());
        assertEquals("reloaded", reloaded.reason());
        assertEquals("web: reloaded to generation 2", reloaded.message());
        assertNull(reloaded.worker());
        assertEquals("reloading", steps.get(0).event(), "the steps still reach the caller");
    }

    @Test
    void newWorkerThatExitsMakesRolledBackNamingItAndWhy() throws Exception {
        supervisor.boot(config("v1", 2));
        loop.advance(1_000);

        reload(config("v2", 2), () -> {
            launcher.started.get(3).exit(ExitStatus.exited(1));
            loop.advance(0);
        });

        assertEquals(List.of("reload_started", "rolled_back"), events.stream().map(Event::event).toList());
        Event rolledBack = events.get(1);
        assertEquals("web:1", rolledBack.worker());
        assertEquals(1, rolledBack.generation(), "the generation serving on");
        assertEquals("web:1 [gen 2] exited too quickly: exited with status 1", rolledBack.reason());
        assertEquals("web:1 [gen 2] failed: exited too quickly: exited with status 1; rolled back, generation 1"
                + " keeps serving", rolledBack.message());
    }

    @Test
    void programOnlyScaledMakesReloadedWithScaledAsItsReason() throws Exception {
        supervisor.boot(config("v1", 2));
        loop.advance(1_000);

        reload(config("v1", 3), () -> { });

        assertEquals(List.of("reloaded"), events.stream().map(Event::event).toList());
        assertEquals("scaled", events.get(0).reason());
    }
}
