/**
 * Events for {@code [baton] event_command}: worker crashes and restarts, reloads, and the daemon's start and stop,
 * each handed to the operator's command as one line of JSON on its standard input (docs/events.md).
 *
 * <p>Invariants:
 * <ul>
 *   <li>Emitting never blocks and never waits: the supervisor loop, a Netty event loop or a signal handler only
 *       enqueue an {@link dev.baton.supervisor.events.Event} (an immutable record). A full queue drops the event
 *       and counts it.</li>
 *   <li>One thread of the {@link dev.baton.supervisor.events.EventRunner} runs the command, one event at a time,
 *       in the order they were emitted, each run bounded by a timeout after which the command's process group is
 *       killed.</li>
 *   <li>Trouble is told at most once a minute: a failing or slow command costs one log line a minute with the
 *       count since the last, never one per event.</li>
 *   <li>The daemon's last event ({@code daemon_stopped}) is delivered before Baton exits, within a bounded wait.</li>
 *   <li>A worker Baton stops on purpose (a stop, a restart, a reload retiring the old generation, a shutdown) makes
 *       no worker event: only an exit Baton did not ask for, a failed start and the restart after it do.</li>
 * </ul>
 */
package dev.baton.supervisor.events;
