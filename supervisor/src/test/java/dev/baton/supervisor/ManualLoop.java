package dev.baton.supervisor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/** A deterministic {@link EventLoop} for unit tests: tasks run when the test says, time moves when it says. */
final class ManualLoop implements EventLoop {

    private final Deque<Runnable> tasks = new ArrayDeque<>();
    private final List<Scheduled> timers = new ArrayList<>();
    private long now = 1_000_000;

    private final class Scheduled implements Timer {
        final long due;
        final Runnable task;

        Scheduled(long due, Runnable task) {
            this.due = due;
            this.task = task;
        }

        @Override
        public void cancel() {
            timers.remove(this);
        }
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    @Override
    public Timer schedule(Runnable task, long delayMillis) {
        Scheduled s = new Scheduled(now + delayMillis, task);
        timers.add(s);
        return s;
    }

    @Override
    public long nowMillis() {
        return now;
    }

    /** Runs queued tasks until none is left. */
    void runPending() {
        while (!tasks.isEmpty()) {
            tasks.poll().run();
        }
    }

    /** Moves time forward, running every timer that falls due on the way, in order. */
    void advance(long millis) {
        long end = now + millis;
        runPending();
        while (true) {
            Scheduled next = timers.stream().filter(t -> t.due <= end)
                    .min(Comparator.comparingLong(t -> t.due)).orElse(null);
            if (next == null) {
                break;
            }
            timers.remove(next);
            now = next.due;
            next.task.run();
            runPending();
        }
        now = end;
    }

    /** Delay until the next timer, or -1 when none is pending. */
    long nextTimerIn() {
        return timers.stream().mapToLong(t -> t.due - now).min().orElse(-1);
    }
}
