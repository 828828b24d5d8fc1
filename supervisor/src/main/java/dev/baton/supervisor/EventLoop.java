package dev.baton.supervisor;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The single thread that owns all supervisor state. Process exits, timers, signals and control requests only
 * enqueue tasks here; nothing else reads or writes a {@link Worker} or {@link Program}.
 */
public interface EventLoop {

    void execute(Runnable task);

    Timer schedule(Runnable task, long delayMillis);

    long nowMillis();

    /** Runs {@code task} on the loop; its value (or the exception it threw) completes the answer. Any thread. */
    default <T> CompletableFuture<T> submit(Supplier<T> task) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        execute(() -> {
            try {
                answer.complete(task.get());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    /** A scheduled task that may still be cancelled. */
    interface Timer {
        void cancel();
    }
}
