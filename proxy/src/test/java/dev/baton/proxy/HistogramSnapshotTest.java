package dev.baton.proxy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buckets, differences between snapshots and quantiles of {@link Histogram}. */
class HistogramSnapshotTest {

    private static final List<Double> BOUNDS = List.of(0.1, 0.2, 0.4);

    private static HistogramSnapshot snapshot(long... counts) {
        return new HistogramSnapshot(BOUNDS, counts, 0);
    }

    private static long millis(double ms) {
        return Math.round(ms * 1e6);
    }

    @Test
    void anObservationGoesToTheFirstBucketWhoseBoundItDoesNotExceed() {
        Histogram h = new Histogram(BOUNDS);
        h.observeNanos(millis(100)); // on the bound: that bucket
        h.observeNanos(millis(100) + 1);
        h.observeNanos(millis(400) + 1); // above every bound
        h.observeNanos(-5); // counted as 0
        assertArrayEquals(new long[]{2, 1, 0, 1}, h.snapshot().counts());
    }

    @Test
    void latencyBucketsGoFromHalfAMillisecondToAMinuteInStepsOfAboutTenPercent() {
        List<Double> b = Histogram.LATENCY_BUCKETS;
        assertEquals(0.0005, b.get(0));
        assertEquals(60.0, b.get(b.size() - 1));
        assertTrue(b.size() >= 115 && b.size() <= 130, b.size() + " bounds");
        for (int i = 1; i < b.size(); i++) {
            double step = b.get(i) / b.get(i - 1);
            assertTrue(step > 1.05 && step < 1.15, "step " + step + " at " + b.get(i));
        }
        new Histogram(b); // ascending, distinct in nanoseconds
    }

    @Test
    void minusCountsTheObservationsBetweenTwoSnapshotsOfOneHistogram() {
        Histogram h = new Histogram(BOUNDS);
        h.observeNanos(millis(50));
        h.observeNanos(millis(300));
        HistogramSnapshot before = h.snapshot();
        h.observeNanos(millis(150));
        h.observeNanos(millis(1000));
        HistogramSnapshot between = h.snapshot().minus(before);
        assertArrayEquals(new long[]{0, 1, 0, 1}, between.counts());
        assertEquals(1.15, between.sumSeconds(), 1e-9);
        assertEquals(2, between.count());
    }

    @Test
    void minusRefusesOtherBoundsAndASnapshotThatIsNotEarlier() {
        HistogramSnapshot later = snapshot(1, 1, 1, 1);
        assertThrows(IllegalArgumentException.class,
                () -> later.minus(new HistogramSnapshot(List.of(0.1, 0.2, 0.5), new long[4], 0)));
        assertThrows(IllegalArgumentException.class, () -> later.minus(snapshot(2, 0, 0, 0)));
    }

    @Test
    void quantileInterpolatesInsideTheBucketThatHoldsTheObservation() {
        // 10 observations: 4 up to 0.1 s, 4 in (0.1, 0.2], 2 in (0.2, 0.4]
        HistogramSnapshot s = snapshot(4, 4, 2, 0);
        assertEquals(0.05, s.quantile(0.2), 1e-12, "2nd of 4 in the first bucket: interpolated from 0");
        assertEquals(0.1, s.quantile(0.4), 1e-12, "the 4th: the first bucket's bound");
        assertEquals(0.15, s.quantile(0.6), 1e-12, "the 6th: half way through the second bucket");
        assertEquals(0.3, s.quantile(0.9), 1e-12);
        assertEquals(0.4, s.quantile(1.0), 1e-12);
    }

    @Test
    void quantileInTheUnboundedBucketAnswersTheLastFiniteBound() {
        HistogramSnapshot s = snapshot(1, 0, 0, 9);
        assertEquals(0.4, s.quantile(0.99));
        assertEquals(0.1, s.quantile(0.1), 1e-12);
    }

    @Test
    void quantileOfNoObservationsIsNaNAndQMustBeInZeroToOne() {
        assertTrue(Double.isNaN(snapshot(0, 0, 0, 0).quantile(0.5)));
        HistogramSnapshot s = snapshot(1, 0, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> s.quantile(0));
        assertThrows(IllegalArgumentException.class, () -> s.quantile(1.01));
        assertThrows(IllegalArgumentException.class, () -> s.quantile(Double.NaN));
    }

    @Test
    void aFineQuantileIsWithinTenPercentOfTheTrueValue() {
        Histogram h = new Histogram(Histogram.LATENCY_BUCKETS);
        for (int ms = 1; ms <= 1000; ms++) {
            h.observeNanos(millis(ms));
        }
        double p99 = h.snapshot().quantile(0.99);
        assertTrue(Math.abs(p99 - 0.990) < 0.099, "p99 " + p99 + " s, true value 0.990 s");
        double p50 = h.snapshot().quantile(0.5);
        assertTrue(Math.abs(p50 - 0.500) < 0.050, "p50 " + p50 + " s, true value 0.500 s");
    }
}
