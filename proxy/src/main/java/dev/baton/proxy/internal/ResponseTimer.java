package dev.baton.proxy.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * {@code response_timeout} for one exchange: fires when the worker has been silent that long. Activity only
 * records a time; the single scheduled task re-arms itself for the remaining time, so relaying a message never
 * schedules anything. Event loop thread only.
 */
final class ResponseTimer {

    private final EventExecutor loop;
    private final long timeoutNanos;
    private final Runnable expired;
    private ScheduledFuture<?> task;
    private long lastActivity;

    ResponseTimer(EventExecutor loop, long timeoutNanos, Runnable expired) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.expired = expired;
    }

    /** The worker sent something (or the request was sent): the silence starts again. */
    void touch() {
        lastActivity = System.nanoTime();
        if (task == null) {
            arm(timeoutNanos);
        }
    }

    void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void arm(long delayNanos) {
        task = loop.schedule(() -> {
            long silent = System.nanoTime() - lastActivity;
            if (silent < timeoutNanos) {
                arm(timeoutNanos - silent);
            } else {
                task = null;
                expired.run();
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }
}
