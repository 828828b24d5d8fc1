package dev.baton.supervisor;

/**
 * The single thread that owns all supervisor state. Process exits, timers, signals and control requests only
 * enqueue tasks here; nothing else reads or writes a {@link Worker} or {@link Program}.
 */
public interface EventLoop {

    void execute(Runnable task);

    Timer schedule(Runnable task, long delayMillis);

    long nowMillis();

    /** A scheduled task that may still be cancelled. */
    interface Timer {
        void cancel();
    }
}
