package dev.baton.supervisor.control;

import java.util.List;

/**
 * {@code GET /v1/pid?target=T...}: the daemon's pid and, for the workers the targets select, theirs.
 *
 * @param daemon  the daemon's process id
 * @param workers one entry per selected worker, in status order (during a reload, a slot's old and new worker);
 *                empty without targets
 */
public record PidReply(int daemon, List<WorkerPid> workers) {

    /**
     * @param name    the worker's name ({@code web:2}, or as {@code process_name} makes it)
     * @param program its program
     * @param pid     0 when no process runs
     */
    public record WorkerPid(String name, String program, int pid) {
    }
}
