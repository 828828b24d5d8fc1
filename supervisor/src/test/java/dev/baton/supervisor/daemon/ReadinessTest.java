package dev.baton.supervisor.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.proxy.BackendStats;
import dev.baton.proxy.ProgramStats;
import dev.baton.supervisor.control.ProbeReply;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code GET /ready} answers, from the daemon's state, its programs and the proxy's backends. */
class ReadinessTest {

    private static final Readiness.Program WEB = new Readiness.Program("web", true, 2);
    private static final Readiness.Program API = new Readiness.Program("api", true, 1);
    private static final Readiness.Program QUEUE = new Readiness.Program("queue", false, 1);

    private static ProgramStats proxied(String name, String... states) {
        List<BackendStats> backends = new java.util.ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            backends.add(new BackendStats(name + ":" + i, 1, states[i], 0, 0));
        }
        return new ProgramStats(name, List.of("127.0.0.1:8000"), 0, backends);
    }

    private static ProbeReply decide(Lifecycle.State state, Map<String, ProgramStats> proxied, String only) {
        return Readiness.decide(state, List.of(WEB, API, QUEUE), proxied, Optional.ofNullable(only));
    }

    @Test
    void readyWhenEveryProgramWithListenHasAWorkerTheProxyRoutesTo() {
        Map<String, ProgramStats> proxied = Map.of("web", proxied("web", "PENDING", "HEALTHY"),
                "api", proxied("api", "HEALTHY"));
        assertEquals(ProbeReply.ok("ready"), decide(Lifecycle.State.SERVING, proxied, null));
    }

    @Test
    void aProgramWhoseWorkersAreStartingHeldUnhealthyOrDrainingIsNotReady() {
        Map<String, ProgramStats> proxied = Map.of(
                "web", proxied("web", "PENDING", "READY", "UNHEALTHY", "DRAINING", "REMOVED"),
                "api", proxied("api", "HEALTHY"));
        assertEquals(ProbeReply.unavailable("not ready: web has no ready worker"),
                decide(Lifecycle.State.SERVING, proxied, null));
        assertEquals(ProbeReply.ok("ready"), decide(Lifecycle.State.SERVING, proxied, "api"), "api alone is");
    }

    @Test
    void everyUnreadyProgramIsNamedOnOneLine() {
        assertEquals(ProbeReply.unavailable("not ready: web, api have no ready worker"),
                decide(Lifecycle.State.SERVING, Map.of("web", proxied("web")), null),
                "api is not proxied yet (before its first publish): not ready either");
    }

    @Test
    void aProgramWithoutListenIsReadyWithARunningWorkerAndLeftOutOfTheWhole() {
        Map<String, ProgramStats> proxied = Map.of("web", proxied("web", "HEALTHY"), "api", proxied("api", "HEALTHY"));
        assertEquals(ProbeReply.ok("ready"), decide(Lifecycle.State.SERVING, proxied, "queue"));
        assertEquals(ProbeReply.unavailable("not ready: queue has no running worker"), Readiness.decide(
                Lifecycle.State.SERVING, List.of(new Readiness.Program("queue", false, 0)), Map.of(),
                Optional.of("queue")));
        assertEquals(ProbeReply.ok("ready"), Readiness.decide(Lifecycle.State.SERVING,
                List.of(new Readiness.Program("queue", false, 0)), Map.of(), Optional.empty()),
                "no program with listen: nothing to wait for");
    }

    @Test
    void anUnknownProgramIsNotFound() {
        assertEquals(ProbeReply.unknown("no such program: nope"), decide(Lifecycle.State.SERVING, Map.of(), "nope"));
    }

    @Test
    void leavingOrStoppingIsNotReadyWhateverTheWorkers() {
        Map<String, ProgramStats> proxied = Map.of("web", proxied("web", "HEALTHY"), "api", proxied("api", "HEALTHY"));
        for (Lifecycle.State state : List.of(Lifecycle.State.LEAVING, Lifecycle.State.STOPPING)) {
            assertEquals(ProbeReply.unavailable("not ready: shutting down"), decide(state, proxied, null), state.name());
            assertEquals(ProbeReply.unavailable("not ready: shutting down"), decide(state, proxied, "web"), state.name());
        }
    }

    @Test
    void aDaemonThatHandedOverToAnUpgradeStaysReadyWhileItsWorkersDrain() {
        Map<String, ProgramStats> draining = Map.of("web", proxied("web", "DRAINING"), "api", proxied("api"));
        assertEquals(ProbeReply.ok("ready"), decide(Lifecycle.State.HANDED_OVER, draining, null));
    }

    @Test
    void theLifecycleMovesOnlyForward() {
        Lifecycle lifecycle = new Lifecycle();
        assertEquals(true, lifecycle.transitionTo(Lifecycle.State.LEAVING, "leaving"));
        assertEquals(false, lifecycle.transitionTo(Lifecycle.State.LEAVING, "again"), "a second request");
        assertEquals(false, lifecycle.transitionTo(Lifecycle.State.HANDED_OVER, "upgrade"), "no hand-over when leaving");
        assertEquals(true, lifecycle.transitionTo(Lifecycle.State.STOPPING, "stopping"));
        assertEquals(false, lifecycle.transitionTo(Lifecycle.State.STOPPING, "again"));
        assertEquals(Lifecycle.State.STOPPING, lifecycle.state());
    }
}
