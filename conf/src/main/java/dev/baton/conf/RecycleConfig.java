package dev.baton.conf;

import java.time.Duration;

/**
 * When a program's workers are replaced while they run: the recycling keys of {@code [program.NAME]}. Every
 * replacement is surge-style (the new worker first, ready, then the old one drains and stops), at most
 * {@code max_surge} of a program at a time.
 *
 * @param maxRequests           key {@code max_requests}: a worker is replaced after this many requests (plus its
 *                              jitter) went to it through Baton's proxy; 0 = never (default)
 * @param maxRequestsJitter     key {@code max_requests_jitter}: each worker's limit is {@code max_requests} plus a
 *                              random 0..this, so workers do not all reach it at once; default 0
 * @param maxMemory             key {@code max_memory}: a worker whose process group's resident memory is above this
 *                              (bytes) at two readings in a row is replaced; 0 = never (default). TOML takes an
 *                              integer or a size such as {@code "300MB"}
 * @param memoryCheckInterval   key {@code memory_check_interval}: how often memory is read; default 10s
 * @param maxLifetime           key {@code max_lifetime}: a worker older than this, less a random 0-10% of it, is
 *                              replaced; {@link Duration#ZERO} = never (default)
 * @param replaceUnhealthyAfter key {@code replace_unhealthy_after}: a running worker that Baton's health checks have
 *                              kept out of traffic this long (wedged, deadlocked, stopped) is replaced, the new worker
 *                              first; {@link Duration#ZERO} = never; default 30s
 */
public record RecycleConfig(int maxRequests, int maxRequestsJitter, long maxMemory, Duration memoryCheckInterval,
                            Duration maxLifetime, Duration replaceUnhealthyAfter) {

    public static final RecycleConfig DEFAULTS = new RecycleConfig(0, 0, 0, Duration.ofSeconds(10), Duration.ZERO,
            Duration.ofSeconds(30));
}
