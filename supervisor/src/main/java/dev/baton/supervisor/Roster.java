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
 */
public record Roster(String program, Optional<ProgramConfig> serving, List<Member> members, Optional<String> down) {

    public Roster {
        members = List.copyOf(members);
    }

    /** What the traffic does with one worker. */
    public enum Role {
        /** A reload's new worker before the switch: checked, never routed. */
        HELD,
        /** Routed once its checks pass. */
        SERVING,
        /** Replaced: no new request; in-flight ones finish. */
        DRAINING,
        /** About to be signalled: no new request, and its WebSocket tunnels are closed. */
        STOPPING
    }

    /** One worker, the configuration it runs (its generation's) and its role. */
    public record Member(WorkerStatus status, ProgramConfig config, Role role) {
    }
}
