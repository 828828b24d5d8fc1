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
