package dev.baton.supervisor;

import java.nio.file.Path;

/**
 * A snapshot of one worker for {@code baton status}.
 *
 * @param name      its {@code process_name} ({@code web:2} by default, {@code web_02}...), its backend's id
 * @param index     its number, {@code numprocs_start} + its slot: {@code web:2}, {@code {worker}}
 * @param pid       0 when no process runs
 * @param since     epoch millis of the last state change
 * @param startedAt epoch millis the current process was spawned, 0 when none
 * @param reason    why the worker is not running (or what it is waiting for); empty when RUNNING
 * @param port      the assigned {@code {port}}, 0 when none
 * @param socket    the assigned {@code {socket}}, null when none
 * @param held      a reload's new worker, or a recycling replacement, not yet switched in: health-checked, but
 *                  gets no traffic
 * @param incarnation 0 for the generation's first worker in the slot, then 1, 2... for each that replaced it
 * @param recycled  how many times the slot's worker was replaced within the generation (max_requests...)
 * @param lastRecycle why it was last replaced ({@code max_requests: 1012 requests}), empty when never
 */
public record WorkerStatus(String name, String program, int index, int generation, WorkerState state, int pid,
                           long since, long startedAt, String reason, int restarts, int port, Path socket, boolean held,
                           int incarnation, int recycled, String lastRecycle) {

    /** A worker that was never recycled. */
    public WorkerStatus(String name, String program, int index, int generation, WorkerState state, int pid,
                        long since, long startedAt, String reason, int restarts, int port, Path socket,
                        boolean held) {
        this(name, program, index, generation, state, pid, since, startedAt, reason, restarts, port, socket, held,
                0, 0, "");
    }

    /** {@code program:number} ({@code web:2}) whatever its name: the label of its log lines, metrics, events. */
    public String id() {
        return program + ":" + index;
    }

    /** This status with {@code held} set: the worker sits in a reload's batch, not yet switched in. */
    WorkerStatus asHeld() {
        return new WorkerStatus(name, program, index, generation, state, pid, since, startedAt, reason, restarts,
                port, socket, true, incarnation, recycled, lastRecycle);
    }
}
