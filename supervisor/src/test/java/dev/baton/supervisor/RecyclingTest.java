package dev.baton.supervisor;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
import dev.baton.proxy.HistogramSnapshot;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recycling ({@link Recycler}, {@link Replacement}) against a fake launcher, a manual clock, a fake proxy and a
 * fake memory probe: every replacement starts the new worker first, switches it in once ready, and only then
 * drains (or, for a hung worker, stops) the old one; at most {@code max_surge} at a time.
 */
class RecyclingTest {

    private static final List<Double> BOUNDS = List.of(0.01, 0.1);

    @TempDir
    Path dir;

    private final ManualLoop loop = new ManualLoop();
    private final FakeLauncher launcher = new FakeLauncher();
    private final FakeTraffic traffic = new FakeTraffic();
    private final Map<Integer, Long> resident = new HashMap<>();
    private LogFiles logFiles;
    private Supervisor supervisor;

    @BeforeEach
    void setUp() {
        logFiles = new LogFiles(dir.resolve("logs"));
        WorkerContext ctx = new WorkerContext(launcher, loop, logFiles, LogHub.withDefaults(), false,
                dir.resolve("workers"), Map.of("PATH", "/usr/bin:/bin"), change -> { });
        supervisor = new Supervisor(ctx, traffic, groups -> {
            Map<Integer, Long> read = new HashMap<>();
            groups.forEach(g -> read.put(g, resident.getOrDefault(g, 10_000_000L)));
            return CompletableFuture.completedFuture(read);
        });
    }

    @AfterEach
    void tearDown() {
        logFiles.close();
    }

    private void boot(int numprocs, String keys) throws Exception {
        BatonConfig config = ConfigLoader.parse("[program.web]\ncommand = \"web {port}\"\nnumprocs = " + numprocs
                + "\nlisten = \"127.0.0.1:18080\"\n" + keys + "\n", dir.resolve("baton.toml"), Map.of());
        supervisor.boot(config);
        loop.advance(1_000); // startsecs: RUNNING
    }

    private List<String> states() {
        CompletableFuture<List<WorkerStatus>> status = supervisor.status();
        loop.advance(0);
        return status.getNow(null).stream().map(w -> w.name() + "." + w.incarnation() + "=" + w.state()
                + (w.held() ? " held" : "")).toList();
    }

    private WorkerStatus status(String name, int incarnation) {
        CompletableFuture<List<WorkerStatus>> status = supervisor.status();
        loop.advance(0);
        return status.getNow(null).stream().filter(w -> w.name().equals(name) && w.incarnation() == incarnation)
                .findFirst().orElseThrow();
    }

    private void served(String worker, int incarnation, long requests) {
        List<WorkerTraffic> now = new ArrayList<>(traffic.workers("web"));
        now.removeIf(t -> t.worker().equals(worker) && t.incarnation() == incarnation);
        now.add(new WorkerTraffic(worker, 1, incarnation, requests, 0,
                new HistogramSnapshot(BOUNDS, new long[3], 0)));
        traffic.workers.put("web", now);
    }

    private void ready(String worker, int incarnation) {
        supervisor.backendReady("web", worker, 1, incarnation);
        loop.advance(0);
    }

    private Map<String, Long> recycled() {
        CompletableFuture<Map<String, Map<String, Long>>> counts = supervisor.recycledCounts();
        loop.advance(0);
        return counts.getNow(null).getOrDefault("web", Map.of());
    }

    @Test
    void maxRequestsStartsTheSuccessorFirstAndDrainsTheOldWorkerOnlyOnceItServes() throws Exception {
        boot(2, "max_requests = 100");
        served("web:0", 0, 99);
        loop.advance(1_000);
        assertEquals(2, launcher.started.size(), "99 of 100 requests: nothing to do");

        served("web:0", 0, 100);
        loop.advance(1_000);
        assertEquals(3, launcher.started.size(), "the successor starts");
        assertEquals(List.of("web:0.0=RUNNING", "web:1.0=RUNNING", "web:0.1=STARTING held"), states());
        assertTrue(launcher.started.get(0).signals.isEmpty(), "the old worker serves until its successor is ready");
        assertEquals("max_requests (100 requests)", status("web:0", 1).lastRecycle());

        loop.advance(1_000);
        int before = traffic.history.size();
        ready("web:0", 1);
        assertEquals(List.of("web:0.1=RUNNING", "web:1.0=RUNNING", "web:0.0=DRAINING"), states());
        assertTrue(traffic.history.subList(before, traffic.history.size()).stream().allMatch(r -> r.members().stream()
                .anyMatch(m -> m.status().name().equals("web:0") && m.status().incarnation() == 0)),
                "the old worker stays listed to the proxy through the switch: its requests in flight go on");
        assertEquals(List.of("web:0@1=SERVING", "web:1@1=SERVING", "web:0@1=DRAINING"), traffic.roles("web"));
        assertTrue(launcher.started.get(0).signals.isEmpty(), "draining: no signal while it serves");

        supervisor.backendDrained("web", "web:0", 1, 0);
        loop.advance(0);
        assertEquals(List.of("group TERM"), launcher.started.get(0).signals);
        launcher.started.get(0).exit(ExitStatus.exited(0));
        loop.advance(0);
        assertEquals(List.of("web:0.1=RUNNING", "web:1.0=RUNNING"), states());
        assertEquals(1, status("web:0", 1).recycled());
        assertEquals(Map.of("max_requests", 1L), recycled());
    }

    @Test
    void maxSurgeBoundsHowManyWorkersAreReplacedAtOnce() throws Exception {
        boot(3, "max_requests = 10");
        served("web:0", 0, 50);
        served("web:1", 0, 50);
        served("web:2", 0, 50);
        loop.advance(1_000);
        assertEquals(4, launcher.started.size(), "max_surge = 1: one successor at a time");
        loop.advance(5_000);
        assertEquals(4, launcher.started.size(), "the next waits for the first to switch");
        ready("web:0", 1);
        loop.advance(1_000);
        assertEquals(5, launcher.started.size(), "then the next one starts");
        assertEquals("web:1", launcher.started.get(4).spec.label());
    }

    @Test
    void maxMemoryNeedsTwoReadingsInARowAboveTheLimit() throws Exception {
        boot(2, "max_memory = \"100MB\"\nmemory_check_interval = \"5s\"");
        int pid = launcher.started.get(1).pid;
        resident.put(pid, 200L * 1024 * 1024);
        loop.advance(1_000); // first reading
        assertEquals(2, launcher.started.size(), "one reading above is not enough");
        resident.put(pid, 50L * 1024 * 1024);
        loop.advance(5_000);
        resident.put(pid, 200L * 1024 * 1024);
        loop.advance(5_000);
        assertEquals(2, launcher.started.size(), "a reading below in between starts the count again");
        loop.advance(5_000);
        assertEquals(3, launcher.started.size(), "two readings in a row above max_memory");
        assertEquals("web:1", launcher.started.get(2).spec.label());
        assertEquals("max_memory (200 MiB resident, max_memory 100 MiB)", status("web:1", 1).lastRecycle());
    }

    @Test
    void aWorkerOutOfTrafficForReplaceUnhealthyAfterIsStoppedAtOnceOnceItsSuccessorServes() throws Exception {
        boot(2, "replace_unhealthy_after = \"30s\"");
        supervisor.backendHealth("web", "web:1", 1, 0, false);
        loop.advance(29_000);
        assertEquals(2, launcher.started.size());
        supervisor.backendHealth("web", "web:1", 1, 0, true);
        loop.advance(10_000);
        assertEquals(2, launcher.started.size(), "back in traffic: the clock starts again");

        supervisor.backendHealth("web", "web:1", 1, 0, false);
        loop.advance(31_000);
        assertEquals(3, launcher.started.size(), "30s out of traffic: a successor starts");
        ready("web:1", 1);
        assertEquals(List.of("group TERM"), launcher.started.get(1).signals, "hung: stopped, not drained");
        assertEquals(Map.of("unhealthy", 1L), recycled());
    }

    @Test
    void aSuccessorThatFailsLeavesTheOldWorkerServingAndTheNextTryWaits() throws Exception {
        boot(1, "max_requests = 10");
        served("web:0", 0, 11);
        loop.advance(1_000);
        assertEquals(2, launcher.started.size());
        launcher.started.get(1).exit(ExitStatus.exited(1));
        loop.advance(0);
        assertEquals(List.of("web:0.0=RUNNING"), states());
        assertTrue(launcher.started.get(0).signals.isEmpty());
        loop.advance(20_000);
        assertEquals(2, launcher.started.size(), "30s before the next try");
        loop.advance(11_000);
        assertEquals(3, launcher.started.size());
    }

    @Test
    void maxLifetimeReplacesAWorkerOlderThanItsLimitLessItsJitter() throws Exception {
        boot(1, "max_lifetime = \"100s\"");
        loop.advance(88_000);
        assertEquals(1, launcher.started.size(), "no earlier than 90% of max_lifetime");
        loop.advance(12_000);
        assertEquals(2, launcher.started.size(), "no later than max_lifetime");
    }

    @Test
    void aProgramWithoutListenHasItsSuccessorRunningBeforeTheOldWorkerIsStopped() throws Exception {
        BatonConfig config = ConfigLoader.parse("[program.jobs]\ncommand = \"celery worker\"\nmax_memory = \"100MB\"\n"
                + "memory_check_interval = \"1s\"\n", dir.resolve("baton.toml"), Map.of());
        supervisor.boot(config);
        loop.advance(1_000);
        resident.put(launcher.started.get(0).pid, 150L * 1024 * 1024);
        loop.advance(2_000);
        assertEquals(2, launcher.started.size(), "two readings above max_memory: the successor starts");
        assertTrue(launcher.started.get(0).signals.isEmpty(), "the old worker runs until its successor does");
        loop.advance(1_000); // startsecs: the successor is RUNNING, which is ready without a proxy
        assertEquals(List.of("group TERM"), launcher.started.get(0).signals);
        assertEquals(Map.of("max_memory", 1L), recycledOf("jobs"));
    }

    private Map<String, Long> recycledOf(String program) {
        CompletableFuture<Map<String, Map<String, Long>>> counts = supervisor.recycledCounts();
        loop.advance(0);
        return counts.getNow(null).getOrDefault(program, Map.of());
    }

    @Test
    void aReloadCancelsTheReplacementInProgress() throws Exception {
        boot(1, "max_requests = 10");
        served("web:0", 0, 11);
        loop.advance(1_000);
        assertEquals(2, launcher.started.size());
        BatonConfig next = ConfigLoader.parse("[program.web]\ncommand = \"web2 {port}\"\nlisten = \"127.0.0.1:18080\"\n",
                dir.resolve("baton.toml"), Map.of());
        supervisor.reload(next, List.of(), e -> { });
        loop.advance(0);
        assertEquals(List.of("group TERM"), launcher.started.get(1).signals, "the successor stops");
        assertTrue(launcher.started.get(0).signals.isEmpty(), "the old worker serves until the reload switches");
    }
}
