package dev.baton.proxy.internal;

import dev.baton.proxy.BackendTraffic;
import dev.baton.proxy.BackendView;
import dev.baton.proxy.Histogram;
import dev.baton.proxy.HistogramSnapshot;

import java.util.concurrent.atomic.LongAdder;

/**
 * One backend's counts of the tries it got ({@link BackendTraffic}), written by every event loop without a lock
 * and without allocating: a {@link LongAdder} or two and one histogram bucket per try.
 */
final class TryCounters {

    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Histogram duration = new Histogram(Histogram.LATENCY_BUCKETS);

    /** The worker answered with {@code status}, {@code nanos} after the try was granted its slot. */
    void answered(int status, long nanos) {
        requests.increment();
        if (status >= 500) {
            errors.increment();
        }
        duration.observeNanos(nanos);
    }

    /** The try failed: refused, reset, timed out, closed mid-answer or stopped answering. */
    void failed() {
        requests.increment();
        errors.increment();
    }

    /**
     * The counts now. Read in the reverse order of the writes, so that a try counted in {@code errors} or in
     * {@code duration} is in {@code requests} too, even while others count.
     */
    BackendTraffic snapshot(BackendView.Key key) {
        HistogramSnapshot durations = duration.snapshot();
        long failedOr5xx = errors.sum();
        return new BackendTraffic(key, requests.sum(), failedOr5xx, durations);
    }
}
