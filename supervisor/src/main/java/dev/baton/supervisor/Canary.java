package dev.baton.supervisor;

import dev.baton.conf.CanaryConfig;
import dev.baton.proxy.HistogramSnapshot;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Judges a canary: its share of errors and its p99 latency against the old workers' over the same window, from the
 * proxy's counts per worker taken when the canary began to get its share ({@link Traffic#workers}).
 *
 * <ul>
 *   <li>Its error share (failed tries and 5xx answers, per try) may exceed the old workers' by at most
 *       {@code canary_max_error_increase} percentage points. Before the window ends, the canary is rolled back as soon
 *       as the evidence is strong: the lower bound of a 99% Wilson interval of its error share already exceeds that
 *       limit (with half its requests failing, after some ten requests; a single unlucky error never does).</li>
 *   <li>At the window's end it must be in traffic: a canary its health checks keep out is rolled back.</li>
 *   <li>Its p99 may reach at most {@code canary_max_latency_ratio} times the old workers', judged at the window's
 *       end, when both sides have at least {@value #MIN_LATENCY_SAMPLES} answers; p99s under
 *       {@value #LATENCY_FLOOR_MILLIS} ms count as that much, since a ratio of two tiny latencies is noise.</li>
 * </ul>
 */
final class Canary {

    /** What to do with the canary now. */
    enum Verdict { WATCH, PROMOTE, ROLL_BACK }

    /** A verdict, with the comparison it rests on. */
    record Judgement(Verdict verdict, String why, CanaryComparison comparison) {
    }

    static final int MIN_LATENCY_SAMPLES = 20;
    static final double LATENCY_FLOOR_MILLIS = 5.0;
    private static final int MIN_EARLY_REQUESTS = 10;
    private static final double Z99 = 2.576;

    private final CanaryConfig config;
    private final Worker canary;
    private final int oldGeneration;
    private final long startedAt;
    private final Map<String, WorkerTraffic> baseline = new HashMap<>();

    /** {@code before}: the proxy's counts when the canary began to get its share. */
    Canary(CanaryConfig config, Worker canary, int oldGeneration, List<WorkerTraffic> before, long now) {
        this.config = config;
        this.canary = canary;
        this.oldGeneration = oldGeneration;
        this.startedAt = now;
        before.forEach(t -> baseline.put(key(t), t));
    }

    Worker worker() {
        return canary;
    }

    long endsAt() {
        return startedAt + config.duration().toMillis();
    }

    /** Compares the canary with every other worker of the program in {@code now} since the window began. */
    Judgement judge(List<WorkerTraffic> now, long nowMillis) {
        long[] c = new long[2];
        long[] o = new long[2];
        HistogramSnapshot cl = null;
        HistogramSnapshot ol = null;
        for (WorkerTraffic t : now) {
            WorkerTraffic before = baseline.get(key(t));
            if (before != null && (t.requests() < before.requests() || !t.latency().follows(before.latency()))) {
                before = null; // a new backend under the same key (its worker restarted elsewhere): counted anew
            }
            long requests = t.requests() - (before == null ? 0 : before.requests());
            long errors = t.errors() - (before == null ? 0 : before.errors());
            HistogramSnapshot latency = before == null ? t.latency() : t.latency().minus(before.latency());
            if (t.is(canary)) {
                c[0] += requests;
                c[1] += errors;
                cl = latency;
            } else if (t.generation() != canary.generation()) {
                o[0] += requests;
                o[1] += errors;
                ol = ol == null ? latency : ol.plus(latency);
            }
        }
        CanaryComparison.Side cs = side(c, cl);
        CanaryComparison.Side os = side(o, ol);
        boolean ended = nowMillis >= endsAt();
        double limit = os.errorPercent() + config.maxErrorIncrease();
        String why = null;
        if (ended && cs.requests() > 0 && cs.errorPercent() > limit) {
            why = String.format(Locale.ROOT, "its error share %.1f%% exceeds the old workers' %.1f%% by more than"
                    + " %s", cs.errorPercent(), os.errorPercent(), points(config.maxErrorIncrease()));
        } else if (!ended && cs.requests() >= MIN_EARLY_REQUESTS && wilsonLow(c[1], c[0]) * 100 > limit) {
            why = String.format(Locale.ROOT, "its error share %.1f%% (%d of %d) exceeds the old workers' %.1f%% by"
                    + " more than %s, beyond doubt", cs.errorPercent(), c[1], c[0], os.errorPercent(),
                    points(config.maxErrorIncrease()));
        } else if (ended && canary.wear().ejectedFor(nowMillis, canary.startedAt()) > 0) {
            why = "it is out of traffic at the end of its window: its health checks fail";
        } else if (ended && latencySlower(cl, ol)) {
            why = String.format(Locale.ROOT, "its p99 latency %.1f ms is more than %s times the old workers' %.1f ms",
                    cs.p99Millis().orElse(0.0), number(config.maxLatencyRatio()), os.p99Millis().orElse(0.0));
        }
        Verdict verdict = why != null ? Verdict.ROLL_BACK : ended ? Verdict.PROMOTE : Verdict.WATCH;
        String text = why != null ? why : ended ? "promoted" : "watching";
        return new Judgement(verdict, text, new CanaryComparison(canary.name(), canary.generation(), oldGeneration,
                nowMillis - startedAt, cs, os, text));
    }

    /** The comparison at a moment when the canary failed otherwise (it exited): the verdict is {@code why}. */
    CanaryComparison failed(List<WorkerTraffic> now, long nowMillis, String why) {
        CanaryComparison c = judge(now, nowMillis).comparison();
        return new CanaryComparison(c.worker(), c.generation(), c.old(), c.windowMillis(), c.canary(), c.others(),
                why);
    }

    private boolean latencySlower(HistogramSnapshot canaryLatency, HistogramSnapshot oldLatency) {
        if (canaryLatency == null || oldLatency == null || canaryLatency.count() < MIN_LATENCY_SAMPLES
                || oldLatency.count() < MIN_LATENCY_SAMPLES) {
            return false;
        }
        double c = Math.max(LATENCY_FLOOR_MILLIS, canaryLatency.quantile(0.99) * 1000);
        double o = Math.max(LATENCY_FLOOR_MILLIS, oldLatency.quantile(0.99) * 1000);
        return c > o * config.maxLatencyRatio();
    }

    private static CanaryComparison.Side side(long[] counts, HistogramSnapshot latency) {
        double share = counts[0] == 0 ? 0 : 100.0 * counts[1] / counts[0];
        Optional<Double> p99 = latency == null || latency.count() == 0 ? Optional.empty()
                : Optional.of(hundredths(latency.quantile(0.99) * 1000));
        return new CanaryComparison.Side(counts[0], counts[1], hundredths(share), p99);
    }

    private static double hundredths(double d) {
        return Math.round(d * 100) / 100.0;
    }

    /** The lower bound of the 99% Wilson score interval of {@code errors} in {@code n}. */
    static double wilsonLow(long errors, long n) {
        if (n == 0) {
            return 0;
        }
        double p = (double) errors / n;
        double z2 = Z99 * Z99;
        double centre = p + z2 / (2 * n);
        double spread = Z99 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return Math.max(0, (centre - spread) / (1 + z2 / n));
    }

    private static String key(WorkerTraffic t) {
        return t.worker() + "@" + t.generation() + "." + t.incarnation();
    }

    /** {@code 1 percentage point}, {@code 0.5 percentage points}. */
    private static String points(double d) {
        return number(d) + (d == 1 ? " percentage point" : " percentage points");
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
