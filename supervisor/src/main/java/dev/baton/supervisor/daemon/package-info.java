/**
 * The daemon around the core ({@code baton run}): the control socket, the proxy's front ends, the pid file, the
 * signals, the reload thread ({@code Reloads}), the events for {@code event_command}, and {@code baton upgrade}: the
 * old daemon's side ({@code Upgrade}), the new one's ({@code TakeOver}) and the socket between them
 * ({@code Handoff}).
 *
 * <p>Invariants:
 * <ul>
 *   <li>Signal handlers, the control socket and the reload thread only hand work to the supervisor loop (or, for
 *       a reload's blocking steps, to the reload thread); the loop alone changes supervisor state and
 *       {@code Frontends}.</li>
 *   <li>A reload binds new listen addresses before anything of it starts; a bind failure refuses that program's
 *       reload with one line naming the address, and nothing of it ran.</li>
 *   <li>A listener stays bound while its address stays in the program's configuration; client connections never
 *       depend on a reload.</li>
 *   <li>An upgrade never leaves an address without a process accepting on it: the new daemon accepts before the
 *       old one stops, and the old one never closes a handed-over socket (nor deletes a unix socket's file); a
 *       new daemon that fails leaves the old one untouched.</li>
 *   <li>One daemon at a time writes {@code SOCKET.pids} and holds {@code SOCKET.lock}: a daemon that takes over
 *       does both only once the old one has exited.</li>
 *   <li>Targets as typed (groups, workers' names) are resolved on the loop against the configuration each program
 *       runs and the groups last applied ({@code TargetResolver}); the core only ever sees resolved
 *       {@link dev.baton.supervisor.Target}s. {@code reread}, {@code avail} and {@code update} read the file on the
 *       reload thread and compare it with the same ({@code ConfigDiff}); {@code update} changes nothing but
 *       through the reload path.</li>
 *   <li>{@code /ready} answers 503 from the moment a shutdown is asked (SIGTERM, SIGINT, {@code baton shutdown}),
 *       without asking the loop, and the listeners keep accepting for {@code shutdown_delay} after it; the daemon an
 *       upgrade replaces keeps answering 200 until it exits ({@code Lifecycle}, {@code Readiness}).</li>
 *   <li>Worker, reload and daemon events are only queued for {@code event_command}
 *       ({@link dev.baton.supervisor.events.EventRunner}); the last, {@code daemon_stopped}, is queued once every
 *       worker has stopped, and the daemon exits once it is delivered or a bounded wait has passed.</li>
 * </ul>
 */
package dev.baton.supervisor.daemon;
