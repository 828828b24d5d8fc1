package dev.baton.supervisor.events;

import dev.baton.supervisor.ReloadEvent;
import dev.baton.supervisor.ReloadResult;
import dev.baton.supervisor.WorkerChange;
import dev.baton.supervisor.WorkerState;
import dev.baton.supervisor.log.LogTime;

import java.util.Locale;
import java.util.Optional;

/**
 * One event for {@code event_command}, written as one JSON object with these keys in this order (an absent value is
 * {@code null}); docs/events.md is the reference.
 *
 * @param time       when it happened: ISO 8601, UTC, milliseconds ({@code 2026-12-07T15:29:42.081Z})
 * @param event      what happened: a {@link Type}, in lower case ({@code exited})
 * @param program    the program concerned; null for the daemon's events
 * @param worker     the worker concerned, program and number ({@code web:1}, whatever its {@code process_name});
 *                   null for a program or the daemon
 * @param generation the worker's generation, or the program's after a reload; null for the daemon's events
 * @param pid        the worker process concerned, or Baton's own for the daemon's events; null when none
 * @param state      the worker's state now ({@code EXITED}); null when not about a worker
 * @param reason     why, as {@code baton status} says it; null when there is nothing to say
 * @param exitStatus how the worker's process ended ({@code exit 1}, {@code signal 9 (KILL)}, {@code unknown}),
 *                   when its exit caused the event; null otherwise
 * @param message    the line Baton logged for it
 */
public record Event(String time, String event, String program, String worker, Integer generation, Integer pid,
                    String state, String reason, String exitStatus, String message) {

    /** Longer reasons and messages are cut (the JSON line then always fits in a pipe's buffer). */
    static final int MAX_TEXT = 1000;

    /** The events Baton emits; each is written as its name in lower case. */
    public enum Type {
        /** A RUNNING worker's process exited (crash, or an exit {@code autorestart} may not restart). */
        EXITED,
        /** A worker's process exited while STARTING, or could not be spawned; Baton retries after a delay. */
        BACKOFF,
        /** A worker failed to start {@code startretries + 1} times in a row; Baton gave up on it. */
        FATAL,
        /** A worker that had exited (EXITED, BACKOFF) starts again: a new process is spawned. */
        RESTARTED,
        /** A program starts moving to a new generation. */
        RELOAD_STARTED,
        /** A program's reload ended well: reloaded, scaled, added, removed or updated ({@code reason} says which). */
        RELOADED,
        /** A new worker failed before the switch: the new generation was stopped, the old one serves on. */
        ROLLED_BACK,
        /** A new worker failed after some workers had switched ({@code rolling}), or with {@code restart}. */
        RELOAD_FAILED,
        /** Baton serves: listeners accept, the control socket answers, the workers are starting. */
        DAEMON_STARTED,
        /** Baton begins its graceful stop. */
        DAEMON_STOPPING,
        /** Every worker has stopped; Baton exits once this event is delivered. */
        DAEMON_STOPPED;

        /** The name as written in the JSON: {@code reload_started}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Event {
        reason = cut(reason);
        message = cut(message);
    }

    /** The event {@code change} makes, if any: a worker that Baton stops on purpose (STOPPING, STOPPED) makes none. */
    public static Optional<Event> of(WorkerChange change, long millis) {
        Type type = switch (change.to()) {
            case EXITED -> Type.EXITED;
            case BACKOFF -> Type.BACKOFF;
            case FATAL -> Type.FATAL;
            case STARTING -> change.from() == WorkerState.EXITED || change.from() == WorkerState.BACKOFF
                    ? Type.RESTARTED : null;
            default -> null;
        };
        if (type == null) {
            return Optional.empty();
        }
        var w = change.worker();
        return Optional.of(new Event(time(millis), type.key(), w.config().name(), w.id(), w.generation(),
                change.pid() == 0 ? null : change.pid(), change.to().name(), emptyAsNull(change.reason()),
                change.exit() == null ? null : change.exit().summary(), change.line()));
    }

    /** A program starts moving to a new generation: the reload's {@code reloading} step. */
    public static Event reloadStarted(ReloadEvent step, long millis) {
        return new Event(time(millis), Type.RELOAD_STARTED.key(), step.program(), null, step.generation(), null, null,
                null, null, step.message());
    }

    /**
     * A program's reload ended. {@code failure} is what the failing step said ({@code web:0 [gen 3] exited too
     * quickly: exited with status 1}), null when none failed.
     */
    public static Event reloadEnded(ReloadResult result, String failure, long millis) {
        Type type = switch (result.outcome()) {
            case ROLLED_BACK -> Type.ROLLED_BACK;
            case FAILED -> Type.RELOAD_FAILED;
            default -> Type.RELOADED;
        };
        String reason = type == Type.RELOADED ? result.outcome().name().toLowerCase(Locale.ROOT)
                : failure != null ? failure : result.message();
        return new Event(time(millis), type.key(), result.program(), emptyAsNull(result.failedWorker()),
                result.generation(), null, null, reason, null, result.message());
    }

    /** An event of the daemon itself ({@link Type#DAEMON_STARTED} ...); {@code pid} is Baton's. */
    public static Event daemon(Type type, int pid, String reason, String message, long millis) {
        return new Event(time(millis), type.key(), null, null, null, pid, null, reason, null, message);
    }

    static String time(long millis) {
        return LogTime.format(millis); // the time baton logs -t shows
    }

    private static String emptyAsNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 3) + "...";
    }
}
