package dev.baton.conf;

import java.time.Duration;

/**
 * How {@code baton reload} rolls one program to a new generation: the reload keys of {@code [program.NAME]}.
 *
 * @param strategy     key {@code reload_strategy}: {@code "surge"}, {@code "rolling"} or {@code "restart"};
 *                     default surge
 * @param maxSurge     key {@code max_surge}: with {@code "rolling"}, new workers started at a time, at least 1;
 *                     default 1
 * @param startTimeout key {@code start_timeout}: a new worker must be ready (health check passed, or RUNNING for a
 *                     program without {@code listen}) within this, or the reload is rolled back; default 60s
 */
public record ReloadConfig(ReloadStrategy strategy, int maxSurge, Duration startTimeout) {

    public static final ReloadConfig DEFAULTS = new ReloadConfig(ReloadStrategy.SURGE, 1, Duration.ofSeconds(60));
}
