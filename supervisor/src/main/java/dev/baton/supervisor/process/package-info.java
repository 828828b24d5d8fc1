/**
 * Starting and watching child processes, behind the {@link dev.baton.supervisor.process.Launcher} seam.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every child leads its own session and process group; its pid is its process group id.</li>
 *   <li>A child's exit is reported exactly once, with an exact status that tells a signal death from an exit
 *       code, whether or not the child closed its output early.</li>
 *   <li>A spawn that cannot work (missing folder, command not found, not executable, unknown user) fails before
 *       anything runs, with a one-line reason.</li>
 *   <li>Orphans reparented to Baton (as PID 1, or as its workers' child subreaper) are reaped by
 *       {@link dev.baton.supervisor.process.OrphanReaper}; a child Baton spawned itself is recorded in
 *       {@link dev.baton.supervisor.process.OwnChildren} from its fork until its waiter reaped it, and is never
 *       reaped as an orphan.</li>
 * </ul>
 */
package dev.baton.supervisor.process;
