package dev.baton.supervisor;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@link EventLoop} on one long-lived thread. The thread must outlive every worker: the kernel sends a worker its
 * parent-death signal when the thread that spawned it ends, so a task that throws is logged, never allowed to
 * kill the thread.
 */
public final class SupervisorLoop implements EventLoop {

    private final ScheduledThreadPoolExecutor executor;

    public SupervisorLoop() {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "baton-supervisor");
            t.setDaemon(false);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(guard(task));
    }

    @Override
    public Timer schedule(Runnable task, long delayMillis) {
        ScheduledFuture<?> future = executor.schedule(guard(task), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public long nowMillis() {
        return System.currentTimeMillis();
    }

    /** Stops accepting tasks; call only once every worker has exited. */
    public void close() {
        executor.shutdown();
    }

    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                Log.error("internal error in supervisor task: " + e, e);
            }
        };
    }
}
