package dev.baton.supervisor.metrics;

import dev.baton.proxy.BackendStats;
import dev.baton.proxy.HistogramSnapshot;
import dev.baton.proxy.ProgramStats;
import dev.baton.proxy.TrafficStats;
import dev.baton.supervisor.WorkerState;
import dev.baton.supervisor.WorkerStatus;
import dev.baton.supervisor.metrics.ProcessTable.Usage;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link MetricsInput} in the Prometheus text format 0.0.4, with the Prometheus Java client's model and
 * writer (escaping, HELP and TYPE lines, cumulative buckets). docs/metrics.md lists every family.
 *
 * <p>The {@code worker} label is the worker's program and number ({@code web:2}, {@code web:8} with
 * {@code numprocs_start = 8}), whatever its {@code process_name}. A worker slot can have two processes for a moment, the old generation's and the new one's,
 * during a reload: {@code baton_worker_up} tells them apart by generation; the other per-worker families show the
 * newest generation's, and {@code baton_http_inflight_requests} the sum over both.
 */
public final class Exposition {

    /** The {@code Content-Type} of the answer. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private Exposition() {
    }

    public static byte[] write(MetricsInput in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            WRITER.write(out, snapshots(in), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static MetricSnapshots snapshots(MetricsInput in) {
        List<MetricSnapshot> all = new ArrayList<>();
        http(in, all);
        workers(in, all);
        reloads(in, all);
        daemon(in, all);
        return new MetricSnapshots(all);
    }

    /**
     * The {@code worker} label of a backend the proxy names by the worker's name ({@code process_name}): the
     * worker's {@code program:number}, as in the other families; the name itself when no worker has it any more.
     */
    private record Ids(Map<String, String> byName) {
        static Ids of(List<WorkerStatus> workers) {
            Map<String, String> byName = new java.util.HashMap<>();
            workers.forEach(w -> byName.put(w.program() + "\u0000" + w.name(), w.id()));
            return new Ids(byName);
        }

        String id(String program, String name) {
            return byName.getOrDefault(program + "\u0000" + name, name);
        }
    }

    private static void http(MetricsInput in, List<MetricSnapshot> all) {
        Ids ids = Ids.of(in.workers());
        Family requests = new Family("baton_http_requests", "Requests answered, by program and the status sent "
                + "(499: the client left before any answer).");
        Family retries = new Family("baton_http_retries", "Requests sent again after a failed try.");
        Family errors = new Family("baton_upstream_errors", "Failed tries on a worker, by cause: refused, reset, "
                + "timeout.");
        Family queued = new Family("baton_http_queued_requests", "Requests waiting in Baton's queue for a worker.");
        Family inflight = new Family("baton_http_inflight_requests", "Requests a worker is answering now.");
        var duration = io.prometheus.metrics.model.snapshots.HistogramSnapshot.builder()
                .name("baton_http_request_duration_seconds")
                .help("From a request's arrival to its answer's last byte.");
        var queueWait = io.prometheus.metrics.model.snapshots.HistogramSnapshot.builder()
                .name("baton_http_queue_wait_seconds")
                .help("From a request's arrival to the worker slot it got, or the queue's refusal.");
        for (Map.Entry<String, TrafficStats> e : new TreeMap<>(in.traffic()).entrySet()) {
            String program = e.getKey();
            TrafficStats t = e.getValue();
            t.responses().forEach((code, n) -> requests.add(n, "program", program, "code", Integer.toString(code)));
            retries.add(t.retries(), "program", program);
            for (TrafficStats.UpstreamErrors u : t.upstreamErrors()) {
                errors.add(u.count(), "program", program, "worker", ids.id(program, u.worker()), "reason",
                        u.reason().name().toLowerCase(Locale.ROOT));
            }
            duration.dataPoint(histogram(t.duration(), Labels.of("program", program)));
            queueWait.dataPoint(histogram(t.queueWait(), Labels.of("program", program)));
        }
        for (Map.Entry<String, ProgramStats> e : new TreeMap<>(in.proxied()).entrySet()) {
            queued.add(e.getValue().queued(), "program", e.getKey());
            Map<String, Integer> bySlot = new TreeMap<>();
            for (BackendStats b : e.getValue().backends()) {
                bySlot.merge(ids.id(e.getKey(), b.id()), b.inflight(), Integer::sum);
            }
            bySlot.forEach((worker, n) -> inflight.add(n, "program", e.getKey(), "worker", worker));
        }
        all.add(requests.counter());
        all.add(retries.counter());
        all.add(errors.counter());
        all.add(queued.gauge());
        all.add(inflight.gauge());
        all.add(duration.build());
        all.add(queueWait.build());
    }

    /** One series of {@code baton_worker_up}: a worker of a generation (a recycled slot's incarnations are one). */
    private record UpSeries(String program, String worker, int generation) {
    }

    private static void workers(MetricsInput in, List<MetricSnapshot> all) {
        Family up = new Family("baton_worker_up", "1 when the worker's process runs, else 0.");
        Family restarts = new Family("baton_worker_restarts", "Times the worker was started again after an exit "
                + "(its generation's count: a reload starts from 0).");
        Family state = new Family("baton_worker_state", "The worker's state: 1 for the current one.");
        Family memory = new Family("baton_worker_resident_memory_bytes", "Resident memory of the worker's whole "
                + "process group.");
        Family cpu = new Family("baton_worker_cpu_seconds", "CPU time of the worker's process group's live "
                + "processes (user and system).");
        Family generation = new Family("baton_generation", "The program's newest generation.");
        Map<String, WorkerStatus> newest = new LinkedHashMap<>();
        Map<String, Integer> generations = new LinkedHashMap<>();
        in.programs().forEach(p -> generations.put(p, 0));
        // within a generation, a recycled slot's newest worker, unless it is a successor still held
        List<WorkerStatus> sorted = in.workers().stream()
                .sorted(Comparator.comparing(WorkerStatus::program).thenComparingInt(WorkerStatus::index)
                        .thenComparingInt(WorkerStatus::generation)
                        .thenComparingInt(w -> w.held() ? -1 : w.incarnation())).toList();
        Map<UpSeries, Boolean> running = new LinkedHashMap<>(); // any incarnation of the worker's generation runs
        for (WorkerStatus w : sorted) {
            running.merge(new UpSeries(w.program(), w.id(), w.generation()), w.state() == WorkerState.RUNNING,
                    Boolean::logicalOr);
            newest.put(w.id(), w); // sorted by generation: the newest stays
            generations.merge(w.program(), w.generation(), Math::max);
        }
        running.forEach((series, isUp) -> up.add(isUp ? 1 : 0, "program", series.program(), "worker",
                series.worker(), "generation", Integer.toString(series.generation())));
        for (WorkerStatus w : newest.values()) {
            restarts.add(w.restarts(), "program", w.program(), "worker", w.id());
            for (WorkerState s : WorkerState.values()) {
                state.add(s == w.state() ? 1 : 0, "program", w.program(), "worker", w.id(), "state", s.name());
            }
            Usage usage = w.pid() > 0 ? in.groups().get(w.pid()) : null;
            memory.add(usage == null ? 0 : usage.residentBytes(), "program", w.program(), "worker", w.id());
            cpu.add(usage == null ? 0 : usage.cpuSeconds(), "program", w.program(), "worker", w.id());
        }
        generations.forEach((program, g) -> generation.add(g, "program", program));
        all.add(up.gauge());
        all.add(restarts.counter());
        all.add(state.gauge());
        all.add(memory.gauge());
        all.add(cpu.counter());
        all.add(generation.gauge());
    }

    private static void reloads(MetricsInput in, List<MetricSnapshot> all) {
        Family reloads = new Family("baton_reloads", "Reloads of a program's workers, by result: reloaded, "
                + "rolled_back, failed.");
        var duration = io.prometheus.metrics.model.snapshots.HistogramSnapshot.builder()
                .name("baton_reload_duration_seconds")
                .help("From a reload's start to its end (old workers stopped, or new ones rolled back).");
        Map<String, HistogramSnapshot> durations = in.reloads().durations();
        for (String program : in.programs()) {
            for (String result : ReloadCounters.RESULTS) {
                reloads.add(in.reloads().count(program, result), "program", program, "result", result);
            }
            duration.dataPoint(histogram(durations.getOrDefault(program, ReloadCounters.none()),
                    Labels.of("program", program)));
        }
        all.add(reloads.counter());
        all.add(duration.build());
        Family recycled = new Family("baton_workers_recycled", "Workers replaced while running (the new one first),"
                + " by reason: max_requests, max_memory, max_lifetime, unhealthy.");
        for (String program : in.programs()) {
            Map<String, Long> counts = in.recycled().getOrDefault(program, Map.of());
            for (String reason : RECYCLE_REASONS) {
                recycled.add(counts.getOrDefault(reason, 0L), "program", program, "reason", reason);
            }
        }
        all.add(recycled.counter());
    }

    /** The reasons of {@code baton_workers_recycled_total}, each shown from 0. */
    static final List<String> RECYCLE_REASONS = List.of("max_requests", "max_memory", "max_lifetime", "unhealthy");

    private static void daemon(MetricsInput in, List<MetricSnapshot> all) {
        Family rss = new Family("process_resident_memory_bytes", "Resident memory of the Baton daemon.");
        Family cpu = new Family("process_cpu_seconds", "CPU time of the Baton daemon (user and system).");
        Family start = new Family("process_start_time_seconds", "When the Baton daemon started, Unix time.");
        Family build = new Family("baton_build_info", "Baton's version and the Java runtime it runs on.");
        in.daemon().ifPresent(u -> {
            rss.add(u.residentBytes());
            cpu.add(u.cpuSeconds());
        });
        start.add(in.startedAt() / 1000.0);
        build.add(1, "version", in.version(), "java", Runtime.version().toString());
        all.add(rss.gauge());
        all.add(cpu.counter());
        all.add(start.gauge());
        all.add(build.gauge());
    }

    private static HistogramDataPointSnapshot histogram(HistogramSnapshot h, Labels labels) {
        double[] bounds = new double[h.upperBounds().size() + 1];
        for (int i = 0; i < h.upperBounds().size(); i++) {
            bounds[i] = h.upperBounds().get(i);
        }
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        return HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, h.counts()))
                .sum(h.sumSeconds()).labels(labels).build();
    }

    /** One family's name, help and data points, made a counter or a gauge at the end. */
    private static final class Family {
        private final String name;
        private final String help;
        private final List<Double> values = new ArrayList<>();
        private final List<Labels> labels = new ArrayList<>();

        Family(String name, String help) {
            this.name = name;
            this.help = help;
        }

        void add(double value, String... labelPairs) {
            values.add(value);
            labels.add(Labels.of(labelPairs));
        }

        CounterSnapshot counter() {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
            for (int i = 0; i < values.size(); i++) {
                b.dataPoint(CounterDataPointSnapshot.builder().value(values.get(i)).labels(labels.get(i)).build());
            }
            return b.build();
        }

        GaugeSnapshot gauge() {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
            for (int i = 0; i < values.size(); i++) {
                b.dataPoint(GaugeDataPointSnapshot.builder().value(values.get(i)).labels(labels.get(i)).build());
            }
            return b.build();
        }
    }
}
