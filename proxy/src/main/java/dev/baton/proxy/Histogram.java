package dev.baton.proxy;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts durations into fixed buckets, from any thread without a lock (one {@link LongAdder} per bucket), like a
 * Prometheus histogram: each observation adds to the first bucket whose upper bound it does not exceed (or to the
 * last, unbounded one), to the count and to the sum.
 */
public final class Histogram {

    /** Request and queue durations, seconds: 1 ms to 60 s. */
    public static final List<Double> REQUEST_BUCKETS = List.of(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
            0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0);

    /**
     * Fine-grained durations, seconds, for per-backend latency quantiles: 0.5 ms to 60 s in steps of about 10%
     * (each bound 1.1 times the one before, to three significant digits), 124 bounds. A quantile read from them is
     * within about 10% of the true value.
     */
    public static final List<Double> LATENCY_BUCKETS = geometric(0.0005, 1.1, 60.0);

    private final long[] boundsNanos;
    private final List<Double> bounds;
    private final LongAdder[] buckets; // the last one is +Inf
    private final LongAdder sumNanos = new LongAdder();

    /** @param bounds upper bounds in seconds, ascending */
    public Histogram(List<Double> bounds) {
        this.bounds = List.copyOf(bounds);
        this.boundsNanos = new long[bounds.size()];
        for (int i = 0; i < boundsNanos.length; i++) {
            boundsNanos[i] = Math.round(bounds.get(i) * 1e9);
            if (i > 0 && boundsNanos[i] <= boundsNanos[i - 1]) {
                throw new IllegalArgumentException("histogram bounds must ascend: " + bounds);
            }
        }
        this.buckets = new LongAdder[bounds.size() + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Counts one duration; a negative one counts as 0. Any thread, no lock, no allocation. */
    public void observeNanos(long nanos) {
        long n = Math.max(0, nanos);
        int i = Arrays.binarySearch(boundsNanos, n); // the bound itself, or where n would go: the first above it
        buckets[i >= 0 ? i : -i - 1].increment();
        sumNanos.add(n);
    }

    /** The counts so far; taken while others observe, the sum and the buckets may differ by those in progress. */
    public HistogramSnapshot snapshot() {
        long[] counts = new long[buckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = buckets[i].sum();
        }
        return new HistogramSnapshot(bounds, counts, sumNanos.sum() / 1e9);
    }

    /** {@code first}, then each bound {@code factor} times the one before (three significant digits), to {@code last}. */
    private static List<Double> geometric(double first, double factor, double last) {
        List<Double> bounds = new ArrayList<>();
        for (double b = first; b < last; b *= factor) {
            bounds.add(new BigDecimal(b).round(new MathContext(3)).doubleValue());
        }
        bounds.add(last);
        return List.copyOf(bounds);
    }
}
