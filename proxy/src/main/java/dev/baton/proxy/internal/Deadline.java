package dev.baton.proxy.internal;

import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * A timeout that is armed and disarmed once per request without scheduling anything each time: arming records a
 * deadline; the one task scheduled on the event loop, when it runs, fires {@code expired} if the deadline is armed
 * and due, schedules itself again for the rest if it is armed but not due, and goes away if it is disarmed. A task is
 * scheduled only when none is pending or the new deadline is earlier than the pending one, so a busy connection
 * schedules one task per timeout period instead of a schedule and a cancel per request (each a heap operation on
 * the event loop's timer queue and an allocation). {@link #close} cancels the pending task for good. Event loop
 * thread only.
 */
final class Deadline {

    private final EventExecutor loop;
    private final Runnable check = this::check;
    private Runnable expired;
    private ScheduledFuture<?> task;
    /**
     * How long after the pending task runs the deadline is. Kept relative to that task, never as a clock reading:
     * the event loop's own clock (its tasks' delays) is the only one used, so a test's loop with a clock of its own
     * (EmbeddedChannel's advanceTimeBy) moves it too.
     */
    private long after;
    private boolean armed;
    private boolean closed;

    Deadline(EventExecutor loop) {
        this.loop = loop;
    }

    /** Fires {@code expired} {@code delayNanos} from now unless disarmed or armed again before. */
    void arm(long delayNanos, Runnable expired) {
        if (closed) {
            return;
        }
        this.expired = expired;
        armed = true;
        if (task == null) {
            schedule(delayNanos);
            return;
        }
        long pending = task.getDelay(TimeUnit.NANOSECONDS);
        if (delayNanos < pending) { // sooner than the pending task: that one would run too late
            task.cancel(false);
            schedule(delayNanos);
        } else {
            after = delayNanos - pending;
        }
    }

    /** Nothing fires until armed again; the pending task, if any, stays and finds nothing to do. */
    void disarm() {
        armed = false;
        expired = null;
    }

    /** True while armed for {@code expired} (the same object). */
    boolean armedFor(Runnable expired) {
        return armed && this.expired == expired;
    }

    /** Disarms for good and cancels the pending task: the connection is gone. */
    void close() {
        closed = true;
        disarm();
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void schedule(long delayNanos) {
        after = 0;
        task = loop.schedule(check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        task = null;
        if (!armed || closed) {
            return;
        }
        if (after > 0) {
            schedule(after);
            return;
        }
        Runnable fire = expired;
        disarm();
        fire.run();
    }
}
