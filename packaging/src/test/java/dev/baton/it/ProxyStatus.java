package dev.baton.it;

import java.util.List;
import java.util.Map;

/** The proxy's part of {@code baton status --json}: "programs" (listen, queued) and each worker's backend. */
final class ProxyStatus {

    private ProxyStatus() {
    }

    /** The worker's "backend" (HEALTHY, PENDING, UNHEALTHY, DRAINING, NONE); null when the key is missing. */
    static String backend(Status status, String worker) {
        return (String) worker(status, worker).get("backend");
    }

    static long inflight(Status status, String worker) {
        return ((Number) worker(status, worker).get("inflight")).longValue();
    }

    /** True when {@code program} has {@code count} workers, all RUNNING with a HEALTHY backend. */
    static boolean healthy(Status status, String program, int count) {
        return status.running(program, count) && status.program(program).stream()
                .allMatch(w -> "HEALTHY".equals(backend(status, w.name())));
    }

    /** The entry of "programs" named {@code program}; fails when there is none. */
    static Map<?, ?> program(Status status, String program) {
        return ((List<?>) Json.object(status.json()).get("programs")).stream().map(p -> (Map<?, ?>) p)
                .filter(p -> program.equals(p.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no program " + program + " in status: " + status.json()));
    }

    static long queued(Status status, String program) {
        return ((Number) program(status, program).get("queued")).longValue();
    }

    private static Map<?, ?> worker(Status status, String name) {
        return ((List<?>) Json.object(status.json()).get("workers")).stream().map(w -> (Map<?, ?>) w)
                .filter(w -> name.equals(w.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no worker " + name + " in status: " + status.json()));
    }
}
