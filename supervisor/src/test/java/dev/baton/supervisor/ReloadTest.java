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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reload state machine ({@link Rollout}) against a fake launcher, a manual clock and a fake proxy. */
class ReloadTest {

    @TempDir
    Path dir;

    private final ManualLoop loop = new ManualLoop();
    private final FakeLauncher launcher = new FakeLauncher();
    private final List<ReloadEvent> events = new ArrayList<>();
    private final FakeTraffic traffic = new FakeTraffic();
    /** Programs get {@code listen} (so workers are ready once checked, and drain) unless a test clears this. */
    private boolean proxied = true;
    private LogFiles logFiles;
    private Supervisor supervisor;

    @BeforeEach
    void setUp() {
        logFiles = new LogFiles(dir.resolve("logs"));
        WorkerContext ctx = new WorkerContext(launcher, loop, logFiles, LogHub.withDefaults(), false,
                dir.resolve("workers"), Map.of("PATH", "/usr/bin:/bin"), change -> { });
        supervisor = new Supervisor(ctx, traffic);
    }

    @AfterEach
    void tearDown() {
        logFiles.close();
    }

    private BatonConfig config(String toml) throws Exception {
        return ConfigLoader.parse(toml, dir.resolve("baton.toml"), Map.of());
    }

    private String web(String version, int numprocs, String extra) {
        return "[program.web]\ncommand = \"web " + version + " {port}\"\nnumprocs = " + numprocs + "\n"
                + (proxied ? "listen = \"127.0.0.1:18080\"\n" : "") + extra + "\n";
    }

    private void boot(String toml) throws Exception {
        supervisor.boot(config(toml));
        loop.advance(1_000);
    }

    private CompletableFuture<List<ReloadResult>> reload(String toml, String... names) throws Exception {
        CompletableFuture<List<ReloadResult>> result = supervisor.reload(config(toml), List.of(names), events::add);
        loop.advance(0);
        return result;
    }

    private List<String> states() {
        CompletableFuture<List<WorkerStatus>> status = supervisor.status();
        loop.advance(0);
        return status.getNow(null).stream().map(w -> w.name() + "@" + w.generation() + "=" + w.state()).toList();
    }

    private List<FakeLauncher.FakeChild> children(String version) {
        return launcher.started.stream().filter(c -> c.spec.command().contains(version)).toList();
    }

    private void ready(String worker, int generation) {
        supervisor.backendReady("web", worker, generation, 0);
        loop.advance(0);
    }

    private void drained(String worker, int generation) {
        supervisor.backendDrained("web", worker, generation, 0);
        loop.advance(0);
    }

    /** Every child that got a stop signal exits, as a well-behaved worker would. */
    private void signalledChildrenExit() {
        for (FakeLauncher.FakeChild c : new ArrayList<>(launcher.started)) {
            if (!c.signals.isEmpty() && !c.signals.contains("exited")) {
                c.signals.add("exited");
                c.exit(ExitStatus.exited(0));
            }
        }
        loop.advance(0);
    }

    @Test
    void surgeSwitchesOnlyOnceEveryNewWorkerIsReadyThenDrainsTheOldOnes() throws Exception {
        boot(web("v1", 2, ""));
        CompletableFuture<List<ReloadResult>> result = reload(web("v2", 2, ""));

        assertEquals(2, children("v2").size(), "surge starts every new worker at once");
        assertEquals(List.of("web:0@1=RUNNING", "web:1@1=RUNNING", "web:0@2=STARTING", "web:1@2=STARTING"), states());
        ready("web:0", 2);
        assertTrue(children("v1").stream().allMatch(c -> c.signals.isEmpty()), "one new worker ready is not all");

        traffic.inflight.put("web:1@1", 1);
        ready("web:1", 2);
        assertEquals(List.of("web:0@2=STARTING", "web:1@2=STARTING", "web:0@1=DRAINING", "web:1@1=DRAINING"),
                states());
        assertTrue(children("v1").stream().allMatch(c -> c.signals.isEmpty()), "draining is not signalled yet");
        assertTrue(events.stream().anyMatch(e -> e.message().equals("web:1 [gen 1] draining, 1 requests in flight")),
                events.toString());

        drained("web:0", 1);
        assertEquals(List.of("group TERM"), children("v1").get(0).signals);
        assertEquals(List.of(), children("v1").get(1).signals, "web:1 still serves a request");
        drained("web:1", 1);
        assertFalse(result.isDone(), "the reload ends when the old workers have stopped");
        signalledChildrenExit();

        ReloadResult r = result.getNow(null).get(0);
        assertEquals(ReloadResult.Outcome.RELOADED, r.outcome(), r.toString());
        assertEquals(2, r.generation());
        assertEquals(List.of("web:0@2=STARTING", "web:1@2=STARTING"), states());
    }

    @Test
    void newWorkerThatExitsRollsBackWithItsLastLinesAndTheOldOnesAreNeverSignalled() throws Exception {
        boot(web("v1", 2, ""));
        CompletableFuture<List<ReloadResult>> result = reload(web("v2", 2, ""));
        ready("web:0", 2);
        FakeLauncher.FakeChild broken = children("v2").get(1);
        broken.print("Traceback (most recent call last):\n  File \"app.py\", line 1\nImportError: no module foo\n");
        broken.exit(ExitStatus.exited(1));
        loop.advance(0);
        assertEquals(List.of("group TERM"), children("v2").get(0).signals, "the ready new worker is stopped too");
        signalledChildrenExit();

        ReloadResult r = result.getNow(null).get(0);
        assertEquals(ReloadResult.Outcome.ROLLED_BACK, r.outcome());
        assertEquals("web:1", r.failedWorker());
        assertEquals(1, r.generation(), "generation 1 keeps serving");
        assertEquals(List.of("Traceback (most recent call last):", "  File \"app.py\", line 1",
                "ImportError: no module foo"), r.lastLines());
        assertTrue(r.message().startsWith("web:1 [gen 2] failed: exited too quickly"), r.message());
        assertTrue(children("v1").stream().allMatch(c -> c.signals.isEmpty()));
        assertEquals(List.of("web:0@1=RUNNING", "web:1@1=RUNNING"), states());
    }

    @Test
    void newWorkerNotReadyWithinStartTimeoutRollsBack() throws Exception {
        boot(web("v1", 1, "start_timeout = \"5s\""));
        CompletableFuture<List<ReloadResult>> result = reload(web("v2", 1, "start_timeout = \"5s\""));
        loop.advance(4_900);
        assertFalse(result.isDone());
        loop.advance(100);
        signalledChildrenExit();

        ReloadResult r = result.getNow(null).get(0);
        assertEquals(ReloadResult.Outcome.ROLLED_BACK, r.outcome());
        assertTrue(r.message().contains("not ready within start_timeout (5.0s): its health check has not passed"),
                r.message());
        assertEquals(List.of("web:0@1=RUNNING"), states());
    }

    @Test
    void rollingStartsMaxSurgeWorkersAtATime() throws Exception {
        String v2 = web("v2", 3, "reload_strategy = \"rolling\"\nmax_surge = 2");
        boot(web("v1", 3, "reload_strategy = \"rolling\"\nmax_surge = 2"));
        CompletableFuture<List<ReloadResult>> result = reload(v2);
        assertEquals(2, children("v2").size());
        ready("web:0", 2);
        ready("web:1", 2);
        assertEquals(3, children("v2").size(), "the next batch starts once the first has switched");
        assertEquals(List.of("web:0@2=STARTING", "web:1@2=STARTING", "web:2@1=RUNNING", "web:2@2=STARTING",
                "web:0@1=DRAINING", "web:1@1=DRAINING"), states());
        ready("web:2", 2);
        drained("web:0", 1);
        drained("web:1", 1);
        drained("web:2", 1);
        signalledChildrenExit();
        assertEquals(ReloadResult.Outcome.RELOADED, result.getNow(null).get(0).outcome());
    }

    @Test
    void rollingFailureAfterAFirstBatchLeavesThatBatchOnTheNewGeneration() throws Exception {
        String v2 = web("v2", 2, "reload_strategy = \"rolling\"");
        boot(web("v1", 2, "reload_strategy = \"rolling\""));
        CompletableFuture<List<ReloadResult>> result = reload(v2);
        ready("web:0", 2);
        drained("web:0", 1);
        signalledChildrenExit();
        children("v2").get(1).exit(ExitStatus.exited(3));
        loop.advance(0);

        ReloadResult r = result.getNow(null).get(0);
        assertEquals(ReloadResult.Outcome.FAILED, r.outcome());
        assertTrue(r.message().contains("1 of 2 workers had switched to generation 2"), r.message());
        assertEquals(List.of("web:0@2=STARTING", "web:1@1=RUNNING"), states());
    }

    @Test
    void programWithoutProxyRollsWhenTheNewWorkersAreRunning() throws Exception {
        proxied = false;
        boot(web("v1", 1, "startsecs = 2"));
        CompletableFuture<List<ReloadResult>> result = reload(web("v2", 1, "startsecs = 2"));
        loop.advance(1_900);
        assertTrue(children("v1").get(0).signals.isEmpty());
        loop.advance(100);
        assertEquals(List.of("group TERM"), children("v1").get(0).signals, "no drain without a proxy");
        signalledChildrenExit();
        assertEquals(ReloadResult.Outcome.RELOADED, result.getNow(null).get(0).outcome());
    }

    @Test
    void restartStrategyStopsTheOldWorkersFirst() throws Exception {
        proxied = false;
        boot(web("v1", 2, "reload_strategy = \"restart\""));
        CompletableFuture<List<ReloadResult>> result = reload(web("v2", 2, "reload_strategy = \"restart\""));
        assertEquals(0, children("v2").size());
        signalledChildrenExit();
        assertEquals(2, children("v2").size());
        loop.advance(1_000);
        assertEquals(ReloadResult.Outcome.RELOADED, result.getNow(null).get(0).outcome());
        assertEquals(List.of("web:0@2=RUNNING", "web:1@2=RUNNING"), states());
    }

    @Test
    void drainingWorkerIsStoppedAtStopwaitsecsEvenWithRequestsInFlight() throws Exception {
        boot(web("v1", 1, "stopwaitsecs = 3"));
        reload(web("v2", 1, "stopwaitsecs = 3"));
        ready("web:0", 2);
        loop.advance(2_900);
        assertTrue(children("v1").get(0).signals.isEmpty());
        loop.advance(100);
        assertEquals(List.of("group TERM"), children("v1").get(0).signals);
        loop.advance(3_000);
        assertEquals(List.of("group TERM", "group KILL"), children("v1").get(0).signals);
    }

    @Test
    void secondReloadOfAProgramWhileOneRunsIsRefused() throws Exception {
        boot(web("v1", 1, "") + "[program.other]\ncommand = \"other\"\n");
        reload(web("v2", 1, "") + "[program.other]\ncommand = \"other\"\n", "web");
        CompletableFuture<List<ReloadResult>> second = reload(web("v3", 1, ""), "web");
        ExecutionException e = assertThrows(ExecutionException.class, second::get);
        assertInstanceOf(Supervisor.BusyException.class, e.getCause());

        CompletableFuture<List<ReloadResult>> other = reload(web("v3", 1, "") + "[program.other]\ncommand = \"o2\"\n",
                "other");
        assertFalse(other.isCompletedExceptionally(), "another program may reload meanwhile");
        CompletableFuture<Void> idle = supervisor.whenIdle(List.of("web"));
        loop.advance(0);
        assertFalse(idle.isDone());
        ready("web:0", 2);
        drained("web:0", 1);
        signalledChildrenExit();
        assertTrue(idle.isDone());
    }

    @Test
    void numprocsAloneScalesWithoutRestartingTheWorkersThatStay() throws Exception {
        boot(web("v1", 2, ""));
        CompletableFuture<List<ReloadResult>> grown = reload(web("v1", 3, ""));
        assertEquals(ReloadResult.Outcome.SCALED, grown.getNow(null).get(0).outcome());
        assertEquals(3, launcher.started.size());
        assertTrue(launcher.started.stream().allMatch(c -> c.signals.isEmpty()));

        loop.advance(1_000);
        CompletableFuture<List<ReloadResult>> shrunk = reload(web("v1", 1, ""));
        assertEquals("web: scaled from 3 to 1 workers", shrunk.getNow(null).get(0).message());
        assertEquals(List.of("web:0@1=RUNNING", "web:1@1=DRAINING", "web:2@1=DRAINING"), states());
        assertTrue(launcher.started.get(0).signals.isEmpty());
    }

    @Test
    void addedProgramsStartAndRemovedOnesStop() throws Exception {
        proxied = false;
        boot(web("v1", 1, "") + "[program.old]\ncommand = \"old\"\n");
        CompletableFuture<List<ReloadResult>> result = reload(web("v1", 1, "") + "[program.new]\ncommand = \"new\"\n");
        loop.advance(1_000);
        signalledChildrenExit();
        List<String> outcomes = result.getNow(null).stream().map(r -> r.program() + "=" + r.outcome()).toList();
        assertEquals(List.of("new=ADDED", "web=RELOADED", "old=REMOVED"), outcomes);
        assertEquals(List.of("new:0@1=RUNNING", "web:0@2=RUNNING"), states().stream().sorted().toList());
    }

    @Test
    void shutdownDuringAReloadStopsTheNewWorkersToo() throws Exception {
        boot(web("v1", 1, ""));
        CompletableFuture<List<ReloadResult>> result = reload(web("v2", 1, ""));
        CompletableFuture<Void> down = supervisor.shutdown();
        loop.advance(0);
        signalledChildrenExit();
        assertTrue(down.isDone());
        assertEquals(ReloadResult.Outcome.ROLLED_BACK, result.getNow(null).get(0).outcome());
        assertTrue(launcher.started.stream().allMatch(c -> c.signals.contains("exited")));
    }
}
