package dev.baton.supervisor;

import java.util.concurrent.ThreadLocalRandom;

/** Restart delays: capped exponential with ±20% jitter, so workers that fail together do not restart together. */
final class Backoff {

    /** A worker that stayed up this long before crashing restarts at once: its streak is forgotten. */
    static final long STABLE_MILLIS = 30_000;
    static final long CAP_MILLIS = 30_000;

    private Backoff() {
    }

    /** Delay before start attempt {@code failures + 1} after {@code failures} failed starts: 1 s, 2 s, 4 s... */
    static long afterFailedStart(int failures) {
        return jitter(exponential(1_000, failures - 1));
    }

    /** Delay before restarting a worker that crashed {@code streak} times in a row: 0-100 ms, 0.5 s, 1 s, 2 s... */
    static long afterCrash(int streak) {
        if (streak <= 1) {
            return ThreadLocalRandom.current().nextLong(0, 101);
        }
        return jitter(exponential(500, streak - 2));
    }

    private static long exponential(long base, int doublings) {
        return Math.min(CAP_MILLIS, base << Math.min(Math.max(doublings, 0), 20));
    }

    private static long jitter(long millis) {
        return Math.round(millis * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
    }
}
