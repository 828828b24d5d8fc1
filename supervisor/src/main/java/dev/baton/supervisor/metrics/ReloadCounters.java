package dev.baton.supervisor.metrics;

import dev.baton.proxy.Histogram;
import dev.baton.proxy.HistogramSnapshot;
import dev.baton.supervisor.ReloadResult;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reloads by program and result, and how long they took, since the daemon started. Any thread. Only reloads of a
 * program's workers count (reloaded, rolled back, failed), not a program added, removed or rescaled.
 */
public final class ReloadCounters {

    /** Reload durations, seconds: 1 s to 30 min. */
    static final List<Double> BUCKETS = List.of(1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0);

    /** The results counted, as their label values. */
    public static final List<String> RESULTS = List.of("reloaded", "rolled_back", "failed");

    private record Key(String program, String result) {
    }

    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, Histogram> durations = new ConcurrentHashMap<>();

    /** Counts {@code r} if it was a reload of the program's workers. */
    public void record(ReloadResult r) {
        String result = r.outcome().name().toLowerCase(Locale.ROOT);
        if (!RESULTS.contains(result)) {
            return;
        }
        counts.computeIfAbsent(new Key(r.program(), result), k -> new LongAdder()).increment();
        durations.computeIfAbsent(r.program(), p -> new Histogram(BUCKETS))
                .observeNanos(r.durationMillis() * 1_000_000);
    }

    /** Reloads of {@code program} that ended with {@code result}. */
    public long count(String program, String result) {
        LongAdder n = counts.get(new Key(program, result));
        return n == null ? 0 : n.sum();
    }

    /** Every program reloaded at least once, with its durations. */
    public Map<String, HistogramSnapshot> durations() {
        Map<String, HistogramSnapshot> snapshot = new TreeMap<>();
        durations.forEach((program, h) -> snapshot.put(program, h.snapshot()));
        return snapshot;
    }

    /** An empty histogram with the buckets of reload durations. */
    static HistogramSnapshot none() {
        return new Histogram(BUCKETS).snapshot();
    }
}
