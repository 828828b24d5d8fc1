package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Recycling with real workers under real load: workers past {@code max_requests}, above {@code max_memory}, or
 * SIGSTOPped (out of traffic for {@code replace_unhealthy_after}) are replaced, the new worker first, and no request
 * fails meanwhile.
 */
class RecyclingIT {

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    /**
     * Slots of {@code program} whose worker (not a successor held) has a HEALTHY backend: routed. A successor that
     * just took its slot may still be STARTING (up for less than startsecs) while it serves.
     */
    private static long serving(Status s, String program) {
        return s.program(program).stream().filter(w -> !w.held() && !w.state().equals("DRAINING")
                && !w.state().equals("STOPPING") && "HEALTHY".equals(ProxyStatus.backend(s, w.name())))
                .map(Status.Worker::name).distinct().count();
    }

    private static int recycled(Status s, String program) {
        return s.program(program).stream().filter(w -> !w.held()).mapToInt(Status.Worker::recycled).sum();
    }

    @Test
    void maxRequestsRecyclesEveryWorkerUnderLoadWithoutAFailedRequestOrAMomentBelowNumprocs() {
        Daemon daemon = sandbox.startProxied(port, 2, "max_requests = 40\nmax_requests_jitter = 10");
        List<String> capacity = new ArrayList<>();
        Paced paced = Paced.start(port, "/", 100, Duration.ofSeconds(120));
        Status last;
        int polls = 0;
        try {
            while (true) {
                Status s = sandbox.status();
                polls++;
                if (serving(s, "web") < 2) {
                    capacity.add(s.toString());
                }
                if (recycled(s, "web") >= 6 || !paced.failures().isEmpty()) {
                    last = s;
                    break;
                }
                if (polls > 400) {
                    throw new AssertionError("fewer than 6 recycles after " + polls + " polls: " + s + "\n"
                            + daemon.tail());
                }
            }
        } finally {
            paced.stop();
        }
        Status end = last;
        String metrics = Http.curl("--unix-socket", sandbox.socket().toString(), "http://baton/metrics").out();
        assertAll(paced + "\n" + daemon.proxyLog(),
                () -> assertEquals(List.of(), paced.failures(), "failed requests"),
                () -> assertEquals(0, paced.count(Paced.Outcome.REFUSED), "refused connections"),
                () -> assertEquals(List.of(), capacity, "a moment with fewer than 2 serving workers"),
                () -> assertTrue(end.program("web").stream().filter(w -> !w.held())
                        .allMatch(w -> w.lastRecycle().startsWith("max_requests (")), end::json),
                () -> assertTrue(daemon.stderr().contains("replacing it: max_requests ("), daemon::tail),
                () -> assertTrue(metrics.matches("(?s).*\nbaton_workers_recycled_total\\{program=\"web\",reason=\"max_requests\"} [1-9].*"),
                        metrics));
    }

    @Test
    void workerAboveMaxMemoryIsReplacedByANewOneFirst() {
        Daemon daemon = sandbox.startProxied(port, 2, "max_memory = \"80MB\"\nmemory_check_interval = \"1s\"");
        Map<String, Object> grown = Http.json(Http.get(port, "/alloc?mb=120"));
        long fat = ((Number) grown.get("pid")).longValue();
        String slot = "web:" + grown.get("worker");
        Paced paced = Paced.start(port, "/", 50, Duration.ofSeconds(120));
        Status after;
        try {
            after = sandbox.awaitStatus(slot + " replaced for max_memory (its successor serving)",
                    s -> s.worker(slot).pid() != fat && s.worker(slot).recycled() == 1
                            && "HEALTHY".equals(ProxyStatus.backend(s, slot)));
            sandbox.awaitGone("the worker over max_memory", fat);
            long answered = paced.ok();
            sandbox.await("20 more requests after the replacement", () -> paced.ok() >= answered + 20
                    || !paced.failures().isEmpty());
        } finally {
            paced.stop();
        }
        assertAll(paced + "\n" + daemon.tail(),
                () -> assertEquals(List.of(), paced.failures(), "failed requests"),
                () -> assertTrue(after.worker(slot).lastRecycle().startsWith("max_memory ("), after::json),
                () -> assertTrue(daemon.stderr().contains(slot + " [gen 1]: replacing it: max_memory ("),
                        daemon::tail));
    }

    @Test
    void sigstoppedWorkerIsReplacedAfterReplaceUnhealthyAfterAndKilledWithoutAFailedGet() {
        Daemon daemon = sandbox.startProxied(port, 2, "replace_unhealthy_after = \"5s\"\nstopwaitsecs = 2");
        long hung = sandbox.status().worker("web:1").pid();
        Paced paced = Paced.start(port, "/", 50, Duration.ofSeconds(120));
        AtomicBoolean continued = new AtomicBoolean();
        Status after;
        try {
            sandbox.await("50 GETs before the SIGSTOP", () -> paced.ok() >= 50 || !paced.failures().isEmpty());
            assertTrue(Procs.signal(hung, "STOP"), "kill -STOP " + hung);
            after = sandbox.awaitStatus("web:1 replaced (unhealthy) and its successor HEALTHY",
                    s -> s.worker("web:1").pid() != hung && s.worker("web:1").recycled() == 1
                            && "HEALTHY".equals(ProxyStatus.backend(s, "web:1")));
            sandbox.awaitGone("the SIGSTOPped worker, killed after stopwaitsecs", hung);
            long answered = paced.ok();
            sandbox.await("50 GETs after the replacement", () -> paced.ok() >= answered + 50
                    || !paced.failures().isEmpty());
        } finally {
            if (Procs.alive(hung)) {
                continued.set(Procs.signal(hung, "CONT"));
            }
            paced.stop();
        }
        assertAll(paced + "\n" + daemon.proxyLog(),
                () -> assertEquals(List.of(), paced.failures(), "failed GETs"),
                () -> assertNotEquals(hung, after.worker("web:1").pid()),
                () -> assertTrue(after.worker("web:1").lastRecycle().startsWith("unhealthy (out of traffic for "),
                        after::json),
                () -> assertTrue(!continued.get(), "the hung worker was gone before the test let it go"));
    }
}
