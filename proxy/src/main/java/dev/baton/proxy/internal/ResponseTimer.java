package dev.baton.proxy.internal;

/**
 * {@code response_timeout} for one try: fires when the worker has been silent that long. Runs on its client
 * connection's {@link Deadline}, which the connection's tries share one after the other: activity only moves the
 * deadline, so relaying a message or starting a request schedules nothing. Event loop thread only.
 */
final class ResponseTimer {

    private final Deadline deadline;
    private final long timeoutNanos;
    private final Runnable expired;

    ResponseTimer(Deadline deadline, long timeoutNanos, Runnable expired) {
        this.deadline = deadline;
        this.timeoutNanos = timeoutNanos;
        this.expired = expired;
    }

    /** The worker sent something (or the request was sent): the silence starts again. */
    void touch() {
        deadline.arm(timeoutNanos, expired);
    }

    /** The try ended: its timeout no longer fires (a later try's does). */
    void cancel() {
        if (deadline.armedFor(expired)) {
            deadline.disarm();
        }
    }
}
