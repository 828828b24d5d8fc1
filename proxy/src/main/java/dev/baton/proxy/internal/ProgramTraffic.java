package dev.baton.proxy.internal;

import dev.baton.proxy.Histogram;
import dev.baton.proxy.TrafficStats;
import dev.baton.proxy.TrafficStats.UpstreamError;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A program's request counters, written by every event loop without a lock and read by {@link #stats()}: one
 * {@link LongAdder} per status code, per histogram bucket, per worker and failure cause.
 */
final class ProgramTraffic {

    /** The status a request gets when its client left before any answer (nginx logs 499 too). */
    static final int CLIENT_GONE = 499;

    private final AtomicReferenceArray<LongAdder> responses = new AtomicReferenceArray<>(600);
    private final Histogram duration = new Histogram(Histogram.REQUEST_BUCKETS);
    private final Histogram queueWait = new Histogram(Histogram.REQUEST_BUCKETS);
    private final LongAdder retries = new LongAdder();
    private final Map<String, LongAdder[]> upstreamErrors = new ConcurrentHashMap<>();

    /** A request ended with {@code status} sent (or {@link #CLIENT_GONE}), {@code nanos} after it arrived. */
    void answered(int status, long nanos) {
        count(status);
        duration.observeNanos(nanos);
    }

    /** A request refused before it was whole (malformed, too large a head): counted, not timed. */
    void rejected(int status) {
        count(status);
    }

    private void count(int status) {
        int code = status >= 100 && status < 600 ? status : 0;
        LongAdder count = responses.get(code);
        if (count == null) {
            responses.compareAndSet(code, null, new LongAdder());
            count = responses.get(code);
        }
        count.increment();
    }

    /** A request got a worker slot, or was refused one, {@code nanos} after it arrived. */
    void waited(long nanos) {
        queueWait.observeNanos(nanos);
    }

    void retried() {
        retries.increment();
    }

    void failed(String worker, UpstreamError reason) {
        upstreamErrors.computeIfAbsent(worker, w -> newAdders())[reason.ordinal()].increment();
    }

    private static LongAdder[] newAdders() {
        LongAdder[] adders = new LongAdder[UpstreamError.values().length];
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    TrafficStats stats() {
        Map<Integer, Long> byCode = new TreeMap<>();
        for (int code = 0; code < responses.length(); code++) {
            LongAdder count = responses.get(code);
            if (count != null) {
                byCode.put(code, count.sum());
            }
        }
        List<TrafficStats.UpstreamErrors> errors = new ArrayList<>();
        new TreeMap<>(upstreamErrors).forEach((worker, adders) -> {
            for (UpstreamError reason : UpstreamError.values()) {
                errors.add(new TrafficStats.UpstreamErrors(worker, reason, adders[reason.ordinal()].sum()));
            }
        });
        return new TrafficStats(byCode, duration.snapshot(), queueWait.snapshot(), retries.sum(), errors);
    }
}
