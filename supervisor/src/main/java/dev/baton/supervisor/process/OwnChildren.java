package dev.baton.supervisor.process;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The children Baton spawned itself and waits for (workers, {@code event_command} runs, an upgrade's new daemon),
 * as opposed to orphans the kernel reparented to it, which {@link OrphanReaper} reaps.
 *
 * <p>A child is recorded from its fork until after whoever waits for it has reaped it: a spawn holds the read side
 * of {@link #GUARD} from before the fork until its pid is recorded, and {@link OrphanReaper} reaps only while it
 * holds the write side. So, while the reaper holds it, a child of Baton that is not recorded here cannot be one
 * of Baton's own: it is an orphan. The same pid may be recorded twice for a moment (a child reaped and the pid
 * reused by the next spawn before the first is forgotten), hence a count per pid.
 */
public final class OwnChildren {

    private static final ReentrantReadWriteLock GUARD = new ReentrantReadWriteLock();
    private static final Map<Integer, Integer> PIDS = new ConcurrentHashMap<>();

    private OwnChildren() {
    }

    /** Forks a child, answers it; throws what the fork throws. */
    @FunctionalInterface
    interface Fork<T, E extends Exception> {
        T start() throws E;
    }

    /** Its pid, or 0 or less when no child was started. */
    @FunctionalInterface
    interface Pid<T> {
        long of(T child);
    }

    /** Runs {@code fork} and records the child it started before any orphan can be reaped. */
    static <T, E extends Exception> T spawn(Fork<T, E> fork, Pid<T> pid) throws E {
        GUARD.readLock().lock();
        try {
            T child = fork.start();
            long id = child == null ? 0 : pid.of(child);
            if (id > 0) {
                PIDS.merge((int) id, 1, Integer::sum);
            }
            return child;
        } finally {
            GUARD.readLock().unlock();
        }
    }

    /**
     * Starts {@code builder}'s command as one of Baton's own children, forgotten once the JDK has reaped it (its
     * {@link Process#onExit()} completes after that).
     */
    public static Process start(ProcessBuilder builder) throws IOException {
        Process process = spawn(builder::start, Process::pid);
        int pid = (int) process.pid();
        process.onExit().whenComplete((p, e) -> reaped(pid));
        return process;
    }

    /** Child {@code pid} has been reaped by whoever waited for it. */
    static void reaped(int pid) {
        PIDS.computeIfPresent(pid, (k, n) -> n > 1 ? n - 1 : null);
    }

    /** True while {@code pid} is one of Baton's own children, not yet reaped. Only under {@link #whileNoSpawn}. */
    static boolean own(int pid) {
        return PIDS.containsKey(pid);
    }

    /** Runs {@code task} while no spawn is between its fork and its record. */
    static <T> T whileNoSpawn(java.util.function.Supplier<T> task) {
        GUARD.writeLock().lock();
        try {
            return task.get();
        } finally {
            GUARD.writeLock().unlock();
        }
    }
}
