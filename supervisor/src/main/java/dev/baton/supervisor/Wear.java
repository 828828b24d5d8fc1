package dev.baton.supervisor;

import dev.baton.conf.RecycleConfig;

import java.util.concurrent.ThreadLocalRandom;

/**
 * What wears one worker out, for recycling ({@link Recycler}): its request and lifetime limits, drawn once with
 * their jitter so that a program's workers do not all reach them together; how long the proxy has kept it out of
 * traffic; how many memory readings in a row were above {@code max_memory}; and when a failed replacement may be
 * tried again. Loop thread only.
 */
final class Wear {

    private static final long RETRY_MILLIS = 30_000;
    private static final long MAX_RETRY_MILLIS = 600_000;

    private final long requestLimit;
    private final long lifetimeMillis;
    private long ejectedAt;
    private int memoryHigh;
    private long resident;
    private int failedReplacements;
    private long retryAt;

    Wear(RecycleConfig config) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        requestLimit = config.maxRequests() == 0 ? 0
                : config.maxRequests() + (long) random.nextInt(config.maxRequestsJitter() + 1);
        long lifetime = config.maxLifetime().toMillis();
        lifetimeMillis = lifetime == 0 ? 0 : lifetime - (long) (random.nextDouble() * lifetime / 10);
    }

    /** Requests after which the worker is replaced ({@code max_requests} plus its jitter); 0 = never. */
    long requestLimit() {
        return requestLimit;
    }

    /** Age after which the worker is replaced ({@code max_lifetime} less up to 10%); 0 = never. */
    long lifetimeMillis() {
        return lifetimeMillis;
    }

    /** The proxy took the worker out of traffic (its checks failed) at {@code now}; later reports keep the first. */
    void ejected(long now) {
        if (ejectedAt == 0) {
            ejectedAt = now;
        }
    }

    /** The proxy routes to the worker again. */
    void readmitted() {
        ejectedAt = 0;
    }

    /** How long the current process (spawned at {@code startedAt}) has been kept out of traffic; 0 while routed. */
    long ejectedFor(long now, long startedAt) {
        return ejectedAt == 0 ? 0 : now - Math.max(ejectedAt, startedAt);
    }

    /** One memory reading against {@code max}. */
    void memoryRead(long bytes, long max) {
        resident = bytes;
        memoryHigh = bytes > max ? memoryHigh + 1 : 0;
    }

    /** True when the last two readings in a row were above {@code max_memory}. */
    boolean memoryOver() {
        return memoryHigh >= 2;
    }

    /** The last memory reading, bytes. */
    long resident() {
        return resident;
    }

    /** A replacement failed: the next one waits 30 s, doubling with each failure up to 10 min. */
    void replacementFailed(long now) {
        failedReplacements++;
        retryAt = now + Math.min(MAX_RETRY_MILLIS, RETRY_MILLIS << Math.min(10, failedReplacements - 1));
    }

    /** False while a failed replacement's wait runs. */
    boolean mayReplace(long now) {
        return now >= retryAt;
    }
}
