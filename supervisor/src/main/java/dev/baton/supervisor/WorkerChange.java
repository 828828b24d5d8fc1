package dev.baton.supervisor;

import dev.baton.supervisor.process.ExitStatus;

/**
 * One state change of a worker, as {@link WorkerContext#onChange} hears of it, on the loop thread.
 *
 * @param worker the worker, already in state {@code to}
 * @param from   the state it left
 * @param to     the state it entered
 * @param reason why, as {@code baton status} shows it; empty when there is nothing to say (STARTING, RUNNING)
 * @param pid    the process concerned: the one spawned, stopped or that exited; 0 when none (a spawn that failed)
 * @param exit   how that process ended, when its exit made the change; null otherwise
 * @param line   the line Baton logged: {@code web:1 [gen 1] RUNNING -> EXITED pid 12259: killed by SIGKILL; ...}
 */
public record WorkerChange(Worker worker, WorkerState from, WorkerState to, String reason, int pid, ExitStatus exit,
                           String line) {
}
