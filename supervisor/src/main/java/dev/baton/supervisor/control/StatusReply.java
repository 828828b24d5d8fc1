package dev.baton.supervisor.control;

import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/status}: the daemon, its proxied programs and every worker (during a reload, a program's
 * workers of both generations).
 */
public record StatusReply(DaemonInfo daemon, List<ProgramInfo> programs, List<WorkerInfo> workers) {

    /**
     * The daemon itself.
     *
     * @param config   the configuration file it runs
     * @param socket   its control socket
     * @param uptimeMs since it started
     */
    public record DaemonInfo(int pid, String version, String config, String socket, long uptimeMs) {
    }

    /**
     * A program Baton proxies.
     *
     * @param listen its listen addresses, as configured ({@code 127.0.0.1:8080}, {@code unix:/run/web.sock})
     * @param queued requests waiting in Baton's queue for a ready worker
     */
    public record ProgramInfo(String name, List<String> listen, int queued) {
    }

    /**
     * One worker.
     *
     * @param name     the worker's name, its {@code process_name}: {@code web:2} by default, {@code web_02}...
     * @param index    its number, {@code numprocs_start} + its slot: the {@code 8} of target {@code web:8}
     * @param state    its state: STOPPED, STARTING, RUNNING, BACKOFF, DRAINING, STOPPING, EXITED or FATAL
     * @param pid      0 when no process runs
     * @param uptimeMs since its process started, 0 when none runs
     * @param sinceMs  since its last change of state
     * @param reason   why it is not running, or what it waits for; empty when RUNNING
     * @param port     its {@code {port}}, 0 when none
     * @param socket   its {@code {socket}}, null when none
     * @param held     a reload's new worker not yet switched in
     * @param backend  for a proxied program only (else the key is absent): PENDING, READY, HEALTHY, UNHEALTHY,
     *                 DRAINING, or NONE when the proxy does not know it
     * @param inflight for a proxied program only (else the key is absent): requests it is serving now
     * @param recycling how often the slot's worker was replaced while it ran, and why last (absent when never)
     */
    public record WorkerInfo(String name, String program, int index, int generation, String state, int pid,
                             long uptimeMs, long sinceMs, String reason, int restarts, int port, String socket,
                             boolean held, Optional<String> backend, Optional<Integer> inflight,
                             Optional<Recycling> recycling) {

        public WorkerInfo(String name, String program, int index, int generation, String state, int pid,
                          long uptimeMs, long sinceMs, String reason, int restarts, int port, String socket,
                          boolean held, Optional<String> backend, Optional<Integer> inflight) {
            this(name, program, index, generation, state, pid, uptimeMs, sinceMs, reason, restarts, port, socket,
                    held, backend, inflight, Optional.empty());
        }

        public boolean running() {
            return "RUNNING".equals(state);
        }
    }

    /**
     * A slot's recycling: {@code count} workers replaced it while running (max_requests, max_memory, max_lifetime,
     * unhealthy), the last one for {@code last} ({@code max_requests (1012 requests)}). On a successor not yet
     * switched in, {@code last} is why it is starting.
     */
    public record Recycling(int count, String last) {
    }
}
