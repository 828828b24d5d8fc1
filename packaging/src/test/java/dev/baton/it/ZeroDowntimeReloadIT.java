package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code baton reload} of a proxied gunicorn app under real client traffic: the new generation is ready before the
 * old one drains, so no request fails (all at once, or max_surge workers at a time), and a request in flight on an
 * old worker finishes there.
 */
class ZeroDowntimeReloadIT {

    private static final int RELOADS = 20;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    @Test
    void twentyBackToBackReloadsUnderKeepAliveLoadFailNoRequestAndEachSwitchesTheServedVersion() {
        Release.install(sandbox, "1", 1.0);
        Release.start(sandbox, port, 2, "");
        List<Long> started = new ArrayList<>();
        List<Long> ended = new ArrayList<>();

        Load load = Load.keepAlive(port, 3);
        try {
            sandbox.await("the load to be answered", () -> load.answers().size() >= 20 || !load.failures().isEmpty());
            for (int version = 2; version <= RELOADS + 1; version++) {
                Release.deploy(sandbox, String.valueOf(version), 1.0, Release.Fault.NONE);
                started.add(System.nanoTime());
                Cli.Result reload = sandbox.baton("reload");
                ended.add(System.nanoTime());

                String deployed = String.valueOf(version);
                assertEquals(0, reload.exit(), () -> "reload to version " + deployed + ": " + reload + "\nload: "
                        + load + "\n" + sandbox.context());
                assertEquals(deployed, Release.served(port), "served right after " + reload);
            }
        } finally {
            load.stop();
        }

        assertEquals(List.of(), load.failures(), load::toString);
        List<Load.Answer> answers = load.answers();
        for (int i = 0; i < RELOADS; i++) {
            long from = started.get(i);
            long to = ended.get(i);
            assertTrue(answers.stream().anyMatch(a -> a.sentNanos() > from && a.answeredNanos() < to),
                    "the load was answered during reload " + (i + 1) + " (" + load + ")");
        }
        for (Load.Answer answer : answers) {
            int version = Integer.parseInt(answer.version());
            long reloadsDone = ended.stream().filter(end -> end < answer.sentNanos()).count();
            long reloadsBegun = started.stream().filter(start -> start < answer.answeredNanos()).count();
            assertTrue(version >= reloadsDone + 1 && version <= reloadsBegun + 1, () -> "version " + version
                    + " answered a request sent after " + reloadsDone + " reloads had ended and answered before "
                    + reloadsBegun + " had begun: an old generation served after its reload, or a new one before");
        }
        Status settled = Release.awaitHealthy(sandbox, 2);
        assertEquals(List.of(RELOADS + 1), settled.generations("web"), settled::toString);
        Release.assertOnlyProcessesOf(sandbox, settled);
    }

    @Test
    void rollingReloadReplacesMaxSurgeWorkersAtATimeUnderLoadWithoutAFailedRequest() {
        Release.install(sandbox, "1", 0.3);
        Release.start(sandbox, port, 3, "reload_strategy = \"rolling\"\nmax_surge = 1");
        Release.deploy(sandbox, "2", 0.3, Release.Fault.NONE);

        Load load = Load.keepAlive(port, 3);
        Cli.Result reload;
        try {
            sandbox.await("the load to be answered", () -> load.answers().size() >= 20 || !load.failures().isEmpty());
            reload = sandbox.baton("reload", "web");
        } finally {
            load.stop();
        }

        assertEquals(0, reload.exit(), () -> reload + "\n" + sandbox.context());
        assertEquals(List.of(), load.failures(), load::toString);
        List<String> out = reload.outLines();
        assertEquals("web: reloading to generation 2 (rolling, 3 workers)", out.get(0), reload::toString);
        List<Integer> started = IntStream.range(0, out.size())
                .filter(i -> out.get(i).matches("web:[012] \\[gen 2\\] started, pid \\d+")).boxed().toList();
        assertEquals(3, started.size(), reload::toString);
        int previous = 0;
        for (int batch = 1; batch <= 3; batch++) {
            int switched = out.indexOf("web: " + batch + " of 3 workers switched to generation 2");
            int start = started.get(batch - 1);
            assertTrue(previous < start && start < switched, "new worker " + batch + " starts after "
                    + (batch - 1) + " switched and before " + batch + " switched: one at a time\n" + reload);
            previous = switched;
        }
        assertEquals("2", Release.served(port));
        Status after = Release.awaitHealthy(sandbox, 3);
        assertEquals(List.of(2), after.generations("web"), after::toString);
        Release.assertOnlyProcessesOf(sandbox, after);
    }

    @Test
    void slowRequestInFlightDuringTheReloadFinishesOnItsOldWorkerWhichIsStoppedOnlyAfterwards() {
        Release.install(sandbox, "1", 0.3);
        Status before = Release.start(sandbox, port, 2, "");
        CompletableFuture<Long> slowAnswered = new CompletableFuture<>();
        CompletableFuture<HttpResponse<String>> slow = Http.getAsync(port, "/slow?s=5")
                .whenComplete((r, e) -> slowAnswered.complete(System.nanoTime()));
        Status.Worker busy = busyWorker(sandbox.await("the slow request in flight on a web worker", sandbox::status,
                s -> busyWorker(s).isPresent())).orElseThrow();
        Release.deploy(sandbox, "2", 0.3, Release.Fault.NONE);

        CompletableFuture<Long> reloadEnded = new CompletableFuture<>();
        CompletableFuture<Cli.Result> reload = CompletableFuture.supplyAsync(() -> sandbox.baton("reload", "web"))
                .whenComplete((r, e) -> reloadEnded.complete(System.nanoTime()));
        Status switched = sandbox.await("generation 2 RUNNING and " + busy.name() + " of generation 1 retired",
                sandbox::status, s -> s.program("web", 2).size() == 2
                        && s.program("web", 2).stream().allMatch(Status.Worker::running)
                        && s.program("web", 1).stream().noneMatch(w -> w.pid() == busy.pid() && w.running()));
        boolean slowStillInFlight = !slow.isDone();
        boolean oldWorkerAlive = Procs.alive(busy.pid());
        String servedWhileDraining = Release.served(port);

        assertAll(
                () -> assertTrue(slowStillInFlight, "the slow request was still in flight: " + switched),
                () -> assertEquals(List.of("DRAINING"), switched.program("web", 1).stream()
                        .filter(w -> w.pid() == busy.pid()).map(Status.Worker::state).toList(),
                        () -> busy.name() + " of generation 1 drains while its request is in flight: " + switched),
                () -> assertTrue(oldWorkerAlive, "the draining worker was alive while its request ran"),
                () -> assertEquals("2", servedWhileDraining, "new requests go to generation 2 once it is ready"));
        HttpResponse<String> slowAnswer = slow.join();
        Cli.Result result = reload.join();

        Map<String, Object> body = Http.json(slowAnswer);
        assertEquals("1", body.get("version"), slowAnswer::body);
        assertEquals(busy.pid(), ((Number) body.get("master")).longValue(), "answered by the worker it started on");
        assertEquals(0, result.exit(), () -> result + "\n" + sandbox.context());
        List<String> out = result.outLines();
        String gen1 = busy.name() + " [gen 1] ";
        int drainingLine = out.indexOf(gen1 + "draining, 1 requests in flight");
        int stoppingLine = out.indexOf(gen1 + "stopping: no request in flight");
        int stoppedLine = out.indexOf(gen1 + "stopped");
        assertTrue(drainingLine >= 0 && drainingLine < stoppingLine && stoppingLine < stoppedLine,
                "draining with the slow request, stopping once it finished, then stopped:\n" + result);
        assertTrue(slowAnswered.join() < reloadEnded.join(), "the reload ended only after the slow request");
        assertFalse(Procs.alive(busy.pid()), busy.name() + " of generation 1 is gone once the reload ended");
        Status after = sandbox.status();
        assertEquals(List.of(2), after.generations("web"), after::toString);
        assertFalse(before.pids("web").stream().anyMatch(after.pids("web")::contains), after::toString);
        Release.assertOnlyProcessesOf(sandbox, after);
    }

    /** The worker with one request in flight. */
    private static Optional<Status.Worker> busyWorker(Status status) {
        return status.program("web").stream().filter(w -> ProxyStatus.inflight(status, w.name()) == 1).findFirst();
    }
}
