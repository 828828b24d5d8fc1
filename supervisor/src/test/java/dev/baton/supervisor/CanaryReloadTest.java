package dev.baton.supervisor;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
import dev.baton.proxy.HistogramSnapshot;
import dev.baton.supervisor.log.LogFiles;
import dev.baton.supervisor.log.LogHub;
import dev.baton.supervisor.control.Json;
import dev.baton.supervisor.control.ReloadSummary;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A canary reload ({@link Rollout} with {@link Canary}) against a fake launcher, a manual clock and a fake proxy
 * whose per-worker counts the test sets: one new worker gets its share, is judged against the old workers, and is
 * rolled back (with the comparison) or promoted.
 */
class CanaryReloadTest {

    private static final List<Double> BOUNDS = List.of(0.005, 0.01, 0.05, 0.1, 0.5);

    @TempDir
    Path dir;

    private final ManualLoop loop = new ManualLoop();
    private final FakeLauncher launcher = new FakeLauncher();
    private final FakeTraffic traffic = new FakeTraffic();
    private final List<ReloadEvent> events = new ArrayList<>();
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

    private BatonConfig web(String version) throws Exception {
        return ConfigLoader.parse("[program.web]\ncommand = \"web " + version + " {port}\"\nnumprocs = 2\n"
                + "listen = \"127.0.0.1:18080\"\nreload_strategy = \"canary\"\ncanary_duration = \"10s\"\n",
                dir.resolve("baton.toml"), Map.of());
    }

    private CompletableFuture<List<ReloadResult>> startCanary() throws Exception {
        supervisor.boot(web("v1"));
        loop.advance(1_000);
        CompletableFuture<List<ReloadResult>> result = supervisor.reload(web("v2"), List.of(), events::add);
        loop.advance(0);
        assertEquals(3, launcher.started.size(), "one canary, not a whole generation");
        supervisor.backendReady("web", "web:0", 2, 0);
        loop.advance(0);
        assertEquals(List.of("web:0@1=SERVING", "web:1@1=SERVING", "web:0@2=CANARY"), traffic.roles("web"));
        assertEquals(10, traffic.published.get("web").canaryWeight());
        return result;
    }

    /** The proxy's counts: the canary's, and each old worker's. */
    private void counts(long canaryRequests, long canaryErrors, int canaryBucket, long oldRequests, long oldErrors,
                        int oldBucket) {
        traffic.workers.put("web", List.of(
                new WorkerTraffic("web:0", 2, 0, canaryRequests, canaryErrors, latency(canaryRequests, canaryBucket)),
                new WorkerTraffic("web:0", 1, 0, oldRequests, oldErrors, latency(oldRequests, oldBucket)),
                new WorkerTraffic("web:1", 1, 0, oldRequests, oldErrors, latency(oldRequests, oldBucket))));
    }

    private static HistogramSnapshot latency(long n, int bucket) {
        long[] counts = new long[BOUNDS.size() + 1];
        counts[bucket] = n;
        return new HistogramSnapshot(BOUNDS, counts, 0);
    }

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
    void aCanaryFailingHalfItsRequestsIsRolledBackBeforeItsWindowEnds() throws Exception {
        CompletableFuture<List<ReloadResult>> result = startCanary();
        counts(20, 10, 1, 90, 0, 1);
        loop.advance(1_000);
        assertEquals(List.of("group TERM"), launcher.started.get(2).signals, "the canary stops");
        assertTrue(launcher.started.get(0).signals.isEmpty() && launcher.started.get(1).signals.isEmpty());
        signalledChildrenExit();

        ReloadResult r = result.getNow(null).get(0);
        assertEquals(ReloadResult.Outcome.ROLLED_BACK, r.outcome(), r.toString());
        assertEquals(1, r.generation());
        CanaryComparison c = r.canary().orElseThrow();
        assertEquals(new CanaryComparison.Side(20, 10, 50.0, c.canary().p99Millis()), c.canary());
        assertTrue(c.canary().p99Millis().isPresent(), "20 answers: a p99");
        assertEquals(180, c.others().requests());
        assertTrue(c.verdict().contains("error share 50.0% (10 of 20) exceeds the old workers' 0.0%"), c.verdict());
        assertTrue(r.message().contains("rolled back, generation 1 keeps serving"), r.message());
        assertTrue(events.stream().anyMatch(e -> e.event().equals("canary")), events.toString());
    }

    @Test
    void oneUnluckyErrorDoesNotRollBackEarlyButTheShareAtTheEndDecides() throws Exception {
        CompletableFuture<List<ReloadResult>> result = startCanary();
        counts(20, 1, 1, 200, 0, 1);
        loop.advance(5_000);
        assertFalse(result.isDone(), "1 error in 20 is not beyond doubt");
        loop.advance(5_000);
        signalledChildrenExit();
        ReloadResult r = result.getNow(null).get(0);
        assertEquals(ReloadResult.Outcome.ROLLED_BACK, r.outcome(), "5% against 0% at the end: over 1 point");
    }

    @Test
    void aCanaryAsGoodAsTheOldWorkersIsPromotedAndTheOtherSlotsFollowAsASurge() throws Exception {
        CompletableFuture<List<ReloadResult>> result = startCanary();
        counts(30, 0, 1, 270, 0, 1);
        loop.advance(9_000);
        assertEquals(3, launcher.started.size(), "watched for canary_duration");
        loop.advance(1_000);
        assertEquals(4, launcher.started.size(), "promoted: the other slot starts");
        assertEquals(List.of("web:0@1=SERVING", "web:1@1=SERVING", "web:0@2=CANARY", "web:1@2=HELD"),
                traffic.roles("web"));
        supervisor.backendReady("web", "web:1", 2, 0);
        loop.advance(0);
        assertEquals(List.of("web:0@2=SERVING", "web:1@2=SERVING", "web:0@1=DRAINING", "web:1@1=DRAINING"),
                traffic.roles("web"));
        assertEquals(0, traffic.published.get("web").canaryWeight());
        supervisor.backendDrained("web", "web:0", 1, 0);
        supervisor.backendDrained("web", "web:1", 1, 0);
        loop.advance(0);
        signalledChildrenExit();
        ReloadResult r = result.getNow(null).get(0);
        assertEquals(ReloadResult.Outcome.RELOADED, r.outcome(), r.toString());
        assertEquals("promoted", r.canary().orElseThrow().verdict());
    }

    @Test
    void aCanaryMuchSlowerThanTheOldWorkersIsRolledBackAtTheEnd() throws Exception {
        CompletableFuture<List<ReloadResult>> result = startCanary();
        counts(40, 0, 4, 400, 0, 1); // p99 in 100-500 ms against 5-10 ms
        loop.advance(10_000);
        signalledChildrenExit();
        ReloadResult r = result.getNow(null).get(0);
        assertEquals(ReloadResult.Outcome.ROLLED_BACK, r.outcome());
        assertTrue(r.canary().orElseThrow().verdict().contains("p99 latency"), r.canary().toString());
    }

    @Test
    void aCanaryItsHealthChecksKeepOutOfTrafficIsRolledBackAtTheEnd() throws Exception {
        CompletableFuture<List<ReloadResult>> result = startCanary();
        counts(3, 0, 1, 300, 0, 1);
        supervisor.backendHealth("web", "web:0", 2, 0, false);
        loop.advance(10_000);
        signalledChildrenExit();
        ReloadResult r = result.getNow(null).get(0);
        assertEquals(ReloadResult.Outcome.ROLLED_BACK, r.outcome());
        assertEquals("it is out of traffic at the end of its window: its health checks fail",
                r.canary().orElseThrow().verdict());
    }

    @Test
    void aCanaryThatExitsBeforeAnyRequestHasNoP99AndItsSummaryIsValidJson() throws Exception {
        CompletableFuture<List<ReloadResult>> result = startCanary();
        launcher.started.get(2).exit(ExitStatus.exited(1));
        loop.advance(0);
        ReloadResult r = result.getNow(null).get(0);
        CanaryComparison c = r.canary().orElseThrow();
        assertEquals(new CanaryComparison.Side(0, 0, 0, java.util.Optional.empty()), c.canary());
        ReloadSummary summary = new ReloadSummary(List.of(new ReloadSummary.ProgramReload("web", r.generation(),
                "rolled_back", false, r.message(), r.durationMillis(), r.failedWorker(), r.lastLines(), r.canary())));
        assertEquals(summary, Json.read(Json.write(summary), ReloadSummary.class), Json.write(summary));
    }

    @Test
    void aCanaryThatExitsIsRolledBackWithTheComparisonSoFar() throws Exception {
        CompletableFuture<List<ReloadResult>> result = startCanary();
        counts(5, 0, 1, 50, 0, 1);
        launcher.started.get(2).print("Traceback: boom\n");
        launcher.started.get(2).exit(ExitStatus.exited(1));
        loop.advance(0);
        ReloadResult r = result.getNow(null).get(0);
        assertEquals(ReloadResult.Outcome.ROLLED_BACK, r.outcome());
        assertEquals(5, r.canary().orElseThrow().canary().requests());
        assertTrue(r.canary().orElseThrow().verdict().startsWith("exited too quickly"), r.canary().toString());
        assertEquals(List.of("Traceback: boom"), r.lastLines());
    }
}
