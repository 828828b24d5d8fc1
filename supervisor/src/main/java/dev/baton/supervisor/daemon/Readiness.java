package dev.baton.supervisor.daemon;

import dev.baton.proxy.BackendStats;
import dev.baton.proxy.ProgramStats;
import dev.baton.supervisor.control.ProbeReply;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code GET /ready} answers, decided from the daemon's {@link Lifecycle.State}, the programs the supervisor
 * runs and the proxy's backends. A program with {@code listen} is ready when the proxy routes to at least one of
 * its workers (a backend that passed its health checks and is not draining); one without, asked for by name, when
 * one of its workers is RUNNING. Baton is ready when every program with {@code listen} is.
 */
final class Readiness {

    static final String READY = "ready";
    static final String SHUTTING_DOWN = "not ready: shutting down";

    /** A program as the supervisor runs it now: whether its serving generation has {@code listen}, its RUNNING workers. */
    record Program(String name, boolean listens, int running) {
    }

    private Readiness() {
    }

    /**
     * @param state   the daemon's state
     * @param running every program the supervisor runs
     * @param proxied the proxy's programs by name ({@code Frontends.stats()})
     * @param only    one program to answer for ({@code /ready?program=}), or every program with {@code listen}
     */
    static ProbeReply decide(Lifecycle.State state, List<Program> running, Map<String, ProgramStats> proxied,
                             Optional<String> only) {
        if (!state.inPool) {
            return ProbeReply.unavailable(SHUTTING_DOWN);
        }
        if (state == Lifecycle.State.HANDED_OVER) { // the new daemon serves the host; these workers drain
            return ProbeReply.ok(READY);
        }
        List<Program> asked = running.stream()
                .filter(p -> only.map(p.name()::equals).orElse(p.listens())).toList();
        if (only.isPresent() && asked.isEmpty()) {
            return ProbeReply.unknown("no such program: " + only.get());
        }
        List<String> unready = asked.stream().filter(p -> !ready(p, proxied.get(p.name()))).map(Program::name)
                .toList();
        if (unready.isEmpty()) {
            return ProbeReply.ok(READY);
        }
        boolean listens = asked.stream().anyMatch(Program::listens);
        return ProbeReply.unavailable("not ready: " + String.join(", ", unready) + (unready.size() == 1 ? " has" : " have")
                + (listens ? " no ready worker" : " no running worker"));
    }

    private static boolean ready(Program program, ProgramStats proxy) {
        if (!program.listens()) {
            return program.running() > 0;
        }
        return proxy != null && proxy.backends().stream().anyMatch(BackendStats::routable);
    }
}
