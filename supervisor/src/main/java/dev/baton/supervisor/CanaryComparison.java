package dev.baton.supervisor;

import java.util.List;
import java.util.Optional;
import java.util.Locale;

/**
 * A canary reload's comparison: the canary worker against the old workers over the same window.
 *
 * @param worker       the canary, {@code web:0}
 * @param generation   the canary's (new) generation
 * @param old          the generation the old workers run
 * @param windowMillis how long the canary has been getting its share of requests
 * @param canary       what the canary did in the window
 * @param others       what the old workers did in the same window
 * @param verdict      {@code watching}, {@code promoted}, or why it was rolled back
 */
public record CanaryComparison(String worker, int generation, int old, long windowMillis, Side canary, Side others,
                               String verdict) {

    /**
     * One side of the comparison.
     *
     * @param requests     tries that ended on these workers in the window
     * @param errors       the failed tries and the 5xx answers among them
     * @param errorPercent errors in percent of requests, to 0.01 (0 without requests)
     * @param p99Millis    the 99th percentile of answered tries' latency, to 0.01 ms; empty without any
     */
    public record Side(long requests, long errors, double errorPercent, Optional<Double> p99Millis) {
    }

    /** The comparison as a small table for the operator, a line each. */
    public List<String> table() {
        return List.of(
                String.format(Locale.ROOT, "  %-22s %9s %7s %8s %10s", "", "requests", "errors", "error %", "p99"),
                row("canary " + worker + " [gen " + generation + "]", canary),
                row("old workers [gen " + old + "]", others));
    }

    /** One line: {@code canary web:0 [gen 4]: 37 requests, 48.6% errors, p99 12.0 ms; old: 333, 0.0%, 10.0 ms}. */
    public String line() {
        return String.format(Locale.ROOT, "canary %s [gen %d] after %.0fs: %d requests, %.1f%% errors, p99 %s;"
                        + " old workers: %d requests, %.1f%% errors, p99 %s", worker, generation, windowMillis / 1000.0,
                canary.requests(), canary.errorPercent(), millis(canary.p99Millis()), others.requests(),
                others.errorPercent(), millis(others.p99Millis()));
    }

    private static String row(String name, Side s) {
        return String.format(Locale.ROOT, "  %-22s %9d %7d %7.1f%% %10s", name, s.requests(), s.errors(),
                s.errorPercent(), millis(s.p99Millis()));
    }

    private static String millis(Optional<Double> ms) {
        return ms.map(m -> String.format(Locale.ROOT, "%.1f ms", m)).orElse("-");
    }
}
