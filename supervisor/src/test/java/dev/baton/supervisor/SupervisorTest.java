package dev.baton.supervisor;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
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
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SupervisorTest {

    @TempDir
    Path dir;

    private final ManualLoop loop = new ManualLoop();
    private final FakeLauncher launcher = new FakeLauncher();
    private LogFiles logFiles;
    private Supervisor supervisor;

    @BeforeEach
    void setUp() {
        logFiles = new LogFiles(dir.resolve("logs"));
        WorkerContext ctx = new WorkerContext(launcher, loop, logFiles, LogHub.withDefaults(), false,
                dir.resolve("workers"), Map.of("PATH", "/usr/bin:/bin"), change -> { });
        supervisor = new Supervisor(ctx);
    }

    @AfterEach
    void tearDown() {
        logFiles.close();
    }

    private BatonConfig config(String toml) throws Exception {
        return ConfigLoader.parse(toml, dir.resolve("baton.toml"), Map.of());
    }

    private <T> T settle(CompletableFuture<T> future) throws Exception {
        loop.advance(0);
        return future.getNow(null);
    }

    /** Lets every child that received a stop signal exit, as a well-behaved worker would. */
    private void stoppedChildrenExit() {
        for (FakeLauncher.FakeChild c : new ArrayList<>(launcher.started)) {
            if (!c.signals.isEmpty() && !c.signals.contains("exited")) {
                c.signals.add("exited");
                c.exit(ExitStatus.exited(0));
            }
        }
        loop.advance(0);
    }

    private List<String> states() throws Exception {
        return settle(supervisor.status()).stream().map(w -> w.name() + "@" + w.generation() + "=" + w.state())
                .toList();
    }

    @Test
    void bootStartsAutostartProgramsInPriorityOrder() throws Exception {
        supervisor.boot(config("""
                [program.late]
                command = "late"
                priority = 20
                [program.early]
                command = "early"
                priority = 10
                [program.manual]
                command = "manual"
                autostart = false
                """));
        loop.advance(1_000);
        assertEquals(List.of("early", "late"), launcher.started.stream().map(c -> c.spec.command().get(0)).toList());
        assertEquals(List.of("early:0@1=RUNNING", "late:0@1=RUNNING", "manual:0@1=STOPPED"), states());
    }

    @Test
    void targetsNameAProgramAWorkerOrAllAndUnknownOnesAreRefused() throws Exception {
        supervisor.boot(config("[program.web]\ncommand = \"web\"\nnumprocs = 3\nautostart = false\n"));
        CompletableFuture<List<Supervisor.Result>> started = supervisor.start(List.of("web:1"));
        loop.advance(1_000);
        assertEquals(List.of(new Supervisor.Result("web:1", true, "started")), started.getNow(null));
        CompletableFuture<List<Supervisor.Result>> all = supervisor.start(List.of("all"));
        loop.advance(1_000);
        assertEquals(List.of("already running", "started", "started").size(), all.getNow(null).size());
        assertEquals("already running", all.getNow(null).get(1).message());

        for (String bad : List.of("api", "web:3", "web:x")) {
            CompletableFuture<List<Supervisor.Result>> refused = supervisor.stop(List.of(bad));
            loop.advance(0);
            ExecutionException e = assertThrows(ExecutionException.class, refused::get, bad);
            assertInstanceOf(Supervisor.TargetException.class, e.getCause());
        }
    }

    @Test
    void startReportsAWorkerThatEndsFatal() throws Exception {
        supervisor.boot(config("[program.web]\ncommand = \"web\"\nautostart = false\nstartretries = 0\n"));
        launcher.failWith = "command not found: web";
        CompletableFuture<List<Supervisor.Result>> started = supervisor.start(List.of("web"));
        loop.advance(0);
        Supervisor.Result result = started.getNow(null).get(0);
        assertTrue(!result.ok() && result.message().startsWith("FATAL: gave up after 1 failed starts"),
                result.toString());
    }

    @Test
    void restartStopsThenStartsANewProcess() throws Exception {
        supervisor.boot(config("[program.web]\ncommand = \"web\"\n"));
        loop.advance(1_000);
        CompletableFuture<List<Supervisor.Result>> restarted = supervisor.restart(List.of("web:0"));
        loop.advance(0);
        stoppedChildrenExit();
        loop.advance(1_000);
        assertEquals("started", restarted.getNow(null).get(0).message());
        assertEquals(2, launcher.started.size());
    }

    @Test
    void shutdownStopsProgramsInReversePriorityOrderAndCompletesWhenNoneIsLeft() throws Exception {
        supervisor.boot(config("""
                [program.db]
                command = "db"
                priority = 1
                [program.web]
                command = "web"
                priority = 2
                """));
        loop.advance(1_000);
        CompletableFuture<Void> done = supervisor.shutdown();
        loop.advance(0);
        FakeLauncher.FakeChild db = launcher.started.get(0);
        FakeLauncher.FakeChild web = launcher.started.get(1);
        assertEquals(List.of("group TERM"), web.signals);
        assertTrue(db.signals.isEmpty(), "db waits until web has stopped");
        web.exit(ExitStatus.exited(0));
        loop.advance(0);
        assertEquals(List.of("group TERM"), db.signals);
        assertTrue(!done.isDone());
        db.exit(ExitStatus.exited(0));
        loop.advance(0);
        assertTrue(done.isDone());
    }
}
