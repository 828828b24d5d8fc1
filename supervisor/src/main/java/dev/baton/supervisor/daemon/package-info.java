/**
 * The daemon around the core ({@code baton run}): the control socket, the proxy's front ends, the pid file, the
 * signals and the reload thread.
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
 * </ul>
 */
package dev.baton.supervisor.daemon;
