package dev.baton.conf;

import java.time.Duration;

/**
 * How {@code baton reload} rolls one program to a new generation: the reload keys of {@code [program.NAME]}.
 *
 * @param strategy     key {@code reload_strategy}: {@code "surge"}, {@code "rolling"}, {@code "restart"} or
 *                     {@code "canary"}; default surge
 * @param maxSurge     key {@code max_surge}: with {@code "rolling"}, new workers started at a time, at least 1;
 *                     also how many workers recycling replaces at a time; default 1
 * @param startTimeout key {@code start_timeout}: a new worker must be ready (health check passed, or RUNNING for a
 *                     program without {@code listen}) within this, or the reload is rolled back; default 60s
 * @param canary       how a canary reload judges the new version; see {@link CanaryConfig}
 */
public record ReloadConfig(ReloadStrategy strategy, int maxSurge, Duration startTimeout, CanaryConfig canary) {

    public static final ReloadConfig DEFAULTS = new ReloadConfig(ReloadStrategy.SURGE, 1, Duration.ofSeconds(60),
            CanaryConfig.DEFAULTS);

    /** Without canary keys: their defaults. */
    public ReloadConfig(ReloadStrategy strategy, int maxSurge, Duration startTimeout) {
        this(strategy, maxSurge, startTimeout, CanaryConfig.DEFAULTS);
    }

    /** This configuration with another strategy ({@code baton reload --canary}). */
    public ReloadConfig withStrategy(ReloadStrategy next) {
        return new ReloadConfig(next, maxSurge, startTimeout, canary);
    }
}
