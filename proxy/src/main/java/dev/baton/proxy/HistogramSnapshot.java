package dev.baton.proxy;

import java.util.Arrays;
import java.util.List;

/**
 * A {@link Histogram}'s counts at one moment.
 *
 * @param upperBounds the finite upper bounds, seconds, ascending
 * @param counts      observations per bucket (not cumulative): one per bound, then the unbounded one
 * @param sumSeconds  the sum of every observation
 */
public record HistogramSnapshot(List<Double> upperBounds, long[] counts, double sumSeconds) {

    public HistogramSnapshot {
        upperBounds = List.copyOf(upperBounds);
        counts = counts.clone();
        if (counts.length != upperBounds.size() + 1) {
            throw new IllegalArgumentException(counts.length + " counts for " + upperBounds.size() + " bounds");
        }
    }

    /** Every observation. */
    public long count() {
        return Arrays.stream(counts).sum();
    }

    /**
     * The observations made between {@code earlier} and this snapshot, both of the same histogram: counts and sum
     * are the differences. Fails when the bounds differ or a count would go down ({@code earlier} is not an earlier
     * snapshot of the same histogram).
     */
    public HistogramSnapshot minus(HistogramSnapshot earlier) {
        if (!upperBounds.equals(earlier.upperBounds)) {
            throw new IllegalArgumentException("histogram bounds differ: " + upperBounds + " and "
                    + earlier.upperBounds);
        }
        long[] between = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
            between[i] = counts[i] - earlier.counts[i];
            if (between[i] < 0) {
                throw new IllegalArgumentException("not an earlier snapshot of the same histogram: bucket " + i
                        + " went from " + earlier.counts[i] + " to " + counts[i]);
            }
        }
        return new HistogramSnapshot(upperBounds, between, Math.max(0, sumSeconds - earlier.sumSeconds));
    }

    /** True when {@code earlier} can be an earlier snapshot of the same histogram: same bounds, no count lower. */
    public boolean follows(HistogramSnapshot earlier) {
        if (!upperBounds.equals(earlier.upperBounds)) {
            return false;
        }
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < earlier.counts[i]) {
                return false;
            }
        }
        return true;
    }

    /** The observations of both snapshots together (two histograms with the same bounds). */
    public HistogramSnapshot plus(HistogramSnapshot other) {
        if (!upperBounds.equals(other.upperBounds)) {
            throw new IllegalArgumentException("histogram bounds differ: " + upperBounds + " and "
                    + other.upperBounds);
        }
        long[] sum = new long[counts.length];
        for (int i = 0; i < counts.length; i++) {
            sum[i] = counts[i] + other.counts[i];
        }
        return new HistogramSnapshot(upperBounds, sum, sumSeconds + other.sumSeconds);
    }

    /**
     * The {@code q}-quantile of the observations, seconds, estimated like Prometheus's {@code histogram_quantile}:
     * find the bucket that holds the {@code q * count()}-th observation and interpolate linearly between its lower
     * bound (0 for the first bucket) and its upper bound. When that is the unbounded bucket, the answer is the last
     * finite bound. NaN when there are no observations (or no finite bound).
     *
     * @param q in (0, 1], e.g. 0.99 for the 99th percentile
     */
    public double quantile(double q) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1]: " + q);
        }
        long total = count();
        if (total == 0 || upperBounds.isEmpty()) {
            return Double.NaN;
        }
        double rank = q * total;
        long below = 0;
        for (int i = 0; i < upperBounds.size(); i++) {
            if (below + counts[i] >= rank) {
                double lower = i == 0 ? 0 : upperBounds.get(i - 1);
                double upper = upperBounds.get(i);
                return lower + (upper - lower) * (rank - below) / counts[i];
            }
            below += counts[i];
        }
        return upperBounds.get(upperBounds.size() - 1);
    }

    @Override
    public long[] counts() {
        return counts.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HistogramSnapshot h && upperBounds.equals(h.upperBounds)
                && Arrays.equals(counts, h.counts) && sumSeconds == h.sumSeconds;
    }

    @Override
    public int hashCode() {
        return 31 * upperBounds.hashCode() + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "HistogramSnapshot" + upperBounds + Arrays.toString(counts) + " sum " + sumSeconds;
    }
}
