package dev.baton.conf;

import java.time.Duration;

/**
 * How a canary reload ({@code reload_strategy = "canary"}, or {@code baton reload --canary}) judges the new
 * version: the canary keys of {@code [program.NAME]}. One new worker gets {@code weight} percent of the program's
 * requests for {@code duration}, compared with the old workers over the same window.
 *
 * @param weight           key {@code canary_weight}: percent of the program's requests the canary gets, 1-100;
 *                         default 10
 * @param duration         key {@code canary_duration}: how long the canary is watched before it is promoted;
 *                         default 60s
 * @param maxErrorIncrease key {@code canary_max_error_increase}: percentage points by which the canary's share of
 *                         errors (5xx answers and failed tries) may exceed the old workers'; default 1
 * @param maxLatencyRatio  key {@code canary_max_latency_ratio}: how many times the old workers' p99 latency the
 *                         canary's may reach; default 2.0
 */
public record CanaryConfig(int weight, Duration duration, double maxErrorIncrease, double maxLatencyRatio) {

    public static final CanaryConfig DEFAULTS = new CanaryConfig(10, Duration.ofSeconds(60), 1.0, 2.0);
}
