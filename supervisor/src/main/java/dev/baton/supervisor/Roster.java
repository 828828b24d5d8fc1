package dev.baton.supervisor;

import dev.baton.conf.ProgramConfig;

import java.util.List;
import java.util.Optional;

/**
 * A program's workers as the traffic in front of them must see them, built on the loop after every change: an
 * immutable snapshot. Roles derive from where a worker sits, never from a flag beside its state: a slot's worker
 * serves, a reload's batch not yet switched in is held, a replaced worker drains, a stopping one stops.
 *
 * @param program the program's name
 * @param serving the configuration of the generation that serves the program (its proxy settings apply to the
 *                program's queue and clients); empty once the program is removed
 * @param members every worker that has a process, each with the configuration of its own generation
 * @param down    why no request can be served soon, when no worker is running or coming back (all stopped,
 *                FATAL, stopping for good); empty while any worker runs, starts, restarts or backs off
 * @param canaryWeight percent of the program's requests for its CANARY member, 0 without one
 */
public record Roster(String program, Optional<ProgramConfig> serving, List<Member> members, Optional<String> down,
                     int canaryWeight) {

    public Roster {
        members = List.copyOf(members);
    }

    public Roster(String program, Optional<ProgramConfig> serving, List<Member> members, Optional<String> down) {
        this(program, serving, members, down, 0);
    }

    /**
     * The roster of program {@code name} ({@code program} null once removed) with these members: down when no
     * member serves or is held and no worker of its slots is coming back and no reload runs. Loop thread.
     */
    static Roster of(String name, Program program, List<Member> members, boolean shuttingDown) {
        boolean serving = members.stream().anyMatch(m -> m.role() == Role.SERVING || m.role() == Role.HELD
                || m.role() == Role.CANARY);
        boolean coming = program != null && (program.rollout() != null || program.comingBack());
        Optional<String> down = serving || coming ? Optional.empty()
                : Optional.of(whyDown(name, program, shuttingDown));
        int weight = program == null || program.rollout() == null ? 0 : program.rollout().canaryWeight();
        return new Roster(name, Optional.ofNullable(program).map(Program::config), members, down, weight);
    }

    /** The role of {@code w}, a worker of {@code program}, by where it sits; null when it has no process. */
    static Role role(Worker w, Program program) {
        boolean held = program != null && program.holds(w);
        boolean canary = program != null && program.rollout() != null && program.rollout().canaryWorker() == w;
        return switch (w.state()) {
            case STARTING, RUNNING -> canary ? Role.CANARY : held ? Role.HELD : Role.SERVING;
            case DRAINING -> Role.DRAINING;
            case STOPPING -> Role.STOPPING;
            default -> null;
        };
    }

    private static String whyDown(String name, Program program, boolean shuttingDown) {
        if (shuttingDown) {
            return name + ": Baton is shutting down";
        }
        if (program == null) {
            return name + ": removed from the configuration";
        }
        boolean fatal = program.workers().stream().anyMatch(w -> w.state() == WorkerState.FATAL);
        return fatal ? name + ": its workers failed to start (FATAL); baton start " + name
                : name + " is stopped; baton start " + name;
    }

    /** What the traffic does with one worker. */
    public enum Role {
        /** A reload's new worker before the switch: checked, never routed. */
        HELD,
        /** Routed once its checks pass. */
        SERVING,
        /** A canary reload's new worker: routed once checked, for the roster's {@code canaryWeight} percent. */
        CANARY,
        /** Replaced: no new request; in-flight ones finish. */
        DRAINING,
        /** About to be signalled: no new request, and its WebSocket tunnels are closed. */
        STOPPING
    }

    /** One worker, the configuration it runs (its generation's) and its role. */
    public record Member(WorkerStatus status, ProgramConfig config, Role role) {
    }
}
