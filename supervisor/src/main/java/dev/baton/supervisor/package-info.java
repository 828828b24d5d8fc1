/**
 * The supervisor's core: programs, their generations of workers, reloads and the graceful stop. The daemon's
 * wiring (sockets, signals, threads other than the loop) lives in {@code daemon}; the core reaches the proxy only
 * through {@link dev.baton.supervisor.Traffic}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>One thread owns all supervisor state: the {@link dev.baton.supervisor.EventLoop}. Process exits, timers,
 *       signals and control requests only enqueue tasks; a request that needs an answer gets a
 *       {@code CompletableFuture}.</li>
 *   <li>That thread lives as long as the daemon: it spawns every worker, and the kernel sends a worker its
 *       parent-death signal when the spawning thread ends.</li>
 *   <li>Every worker state change goes through {@code Worker.transitionTo}, which logs it; an event about a
 *       process that is no longer the worker's current one is ignored.</li>
 *   <li>A worker's number ({@code numprocs_start} + its slot) is its identity wherever a user sees it: targets,
 *       {@code {worker}}, {@code BATON_WORKER}, socket and log file names, the source of its log lines, events and
 *       metrics labels; slots stay internal. Its name ({@code process_name}) is for display, and its backend's
 *       id.</li>
 *   <li>A worker never runs outside its own process group; when its leader exits, the rest of the group is
 *       killed before the leader is reaped (so the group id cannot have been reused).</li>
 *   <li>Restarts are delayed with jitter (see {@code Backoff}): no two workers restart in lockstep and a crash
 *       loop never spins.</li>
 *   <li>Nothing a client sends, no configuration error and no signal crashes the daemon: bad requests get an
 *       error answer, an invalid configuration on reload or SIGHUP changes nothing.</li>
 *   <li>A reload never leaves fewer than {@code numprocs} ready workers serving: a new generation's workers are
 *       held out of traffic until every worker of their batch is ready, and old workers drain and stop only after
 *       the batch that replaces them has switched in. A new worker that fails rolls its batch back, and the old
 *       workers of that batch are never signalled (see {@code Rollout}).</li>
 *   <li>A draining worker is not signalled while it serves a request, unless {@code stopwaitsecs} ran out.</li>
 *   <li>Recycling never lowers capacity: a worn-out worker's successor (same slot and generation, next incarnation:
 *       a backend of its own) is ready before the worker it replaces leaves its slot, at most {@code max_surge}
 *       replacements per program run at a time, and none while the program reloads (a reload cancels them). A
 *       successor that fails stops; the old worker was never touched (see {@code Replacement}).</li>
 *   <li>A canary gets its share of requests only once ready, and is judged against the old workers over the same
 *       window from the proxy's own counts; rolled back, it leaves the old generation as it was (see
 *       {@code Canary}).</li>
 *   <li>One reload at a time per program: a second is refused ({@code baton reload} exit code 5) or, with
 *       {@code --wait}, waits for the first to end.</li>
 *   <li>A reload is one transaction on the loop: other threads only read the file and bind sockets. Each
 *       {@link dev.baton.supervisor.Generation} carries its own configuration, proxy settings included; they
 *       become the program's at its first switch and never if it is rolled back. Every state change of a
 *       {@code Worker}, {@code Generation} and {@code Rollout} goes through its {@code transitionTo}, which logs
 *       it.</li>
 *   <li>A worker's role for the proxy derives from where it sits, never from a flag: a program's slot serves, a
 *       rollout's batch is held, the retiring list drains or stops ({@link dev.baton.supervisor.Roster}).</li>
 *   <li>A program is down (requests get 503 at once) only when none of its workers runs or is coming back: a
 *       crashed worker that will restart, one backing off, or a reload in progress keep requests queued.</li>
 *   <li>Shutting down (and removing a program) stops accepting first, answers what was accepted (bounded by
 *       {@code stopwaitsecs}), and only then signals the workers, in reverse priority order.</li>
 * </ul>
 */
package dev.baton.supervisor;
