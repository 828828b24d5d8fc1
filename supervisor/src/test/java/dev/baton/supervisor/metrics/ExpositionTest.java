package dev.baton.supervisor.metrics;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.proxy.BackendStats;
import dev.baton.proxy.Histogram;
import dev.baton.proxy.ProgramStats;
import dev.baton.proxy.TrafficStats;
import dev.baton.supervisor.ReloadResult;
import dev.baton.supervisor.WorkerState;
import dev.baton.supervisor.WorkerStatus;
import dev.baton.supervisor.metrics.ProcessTable.Usage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The text a scrape gets, from a fixed input: exact lines where it matters, and promtool's approval. */
class ExpositionTest {

    /** Every family issue 14 names, with its type. */
    static final Map<String, String> FAMILIES = Map.ofEntries(
            Map.entry("baton_http_requests_total", "counter"),
            Map.entry("baton_http_request_duration_seconds", "histogram"),
            Map.entry("baton_http_queue_wait_seconds", "histogram"),
            Map.entry("baton_http_queued_requests", "gauge"),
            Map.entry("baton_http_inflight_requests", "gauge"),
            Map.entry("baton_http_retries_total", "counter"),
            Map.entry("baton_upstream_errors_total", "counter"),
            Map.entry("baton_worker_up", "gauge"),
            Map.entry("baton_worker_restarts_total", "counter"),
            Map.entry("baton_worker_state", "gauge"),
            Map.entry("baton_worker_resident_memory_bytes", "gauge"),
            Map.entry("baton_worker_cpu_seconds_total", "counter"),
            Map.entry("baton_reloads_total", "counter"),
            Map.entry("baton_reload_duration_seconds", "histogram"),
            Map.entry("baton_workers_recycled_total", "counter"),
            Map.entry("baton_generation", "gauge"),
            Map.entry("process_resident_memory_bytes", "gauge"),
            Map.entry("process_cpu_seconds_total", "counter"),
            Map.entry("process_start_time_seconds", "gauge"),
            Map.entry("baton_build_info", "gauge"));

    private static WorkerStatus worker(String program, int index, int generation, WorkerState state, int pid,
                                       int restarts) {
        return new WorkerStatus(program + ":" + index, program, index, generation, state, pid, 0, 0, "", restarts,
                8000 + index, null, false);
    }

    static MetricsInput input() {
        Histogram duration = new Histogram(Histogram.REQUEST_BUCKETS);
        duration.observeNanos(3_000_000); // 3 ms
        duration.observeNanos(200_000_000); // 200 ms
        duration.observeNanos(90_000_000_000L); // 90 s: above every bound
        Histogram wait = new Histogram(Histogram.REQUEST_BUCKETS);
        wait.observeNanos(0);
        TrafficStats traffic = new TrafficStats(Map.of(200, 2L, 503, 1L), duration.snapshot(), wait.snapshot(), 4,
                List.of(new TrafficStats.UpstreamErrors("web:1", TrafficStats.UpstreamError.RESET, 2)));
        ProgramStats proxied = new ProgramStats("web", List.of("127.0.0.1:8000"), 3, List.of(
                new BackendStats("web:0", 1, "DRAINING", 1, 0),
                new BackendStats("web:0", 2, "HEALTHY", 2, 0),
                new BackendStats("web:1", 2, "HEALTHY", 0, 0)));
        ReloadCounters reloads = new ReloadCounters();
        reloads.record(new ReloadResult("web", 2, ReloadResult.Outcome.RELOADED, "ok", 4_000, "", List.of()));
        reloads.record(new ReloadResult("web", 2, ReloadResult.Outcome.SCALED, "not a reload", 10, "", List.of()));
        return new MetricsInput(List.of("web", "jobs"),
                List.of(worker("web", 0, 1, WorkerState.DRAINING, 101, 0), worker("web", 0, 2, WorkerState.RUNNING,
                                201, 0), worker("web", 1, 2, WorkerState.RUNNING, 202, 3),
                        worker("jobs", 0, 1, WorkerState.BACKOFF, 0, 5)),
                Map.of("web", proxied), Map.of("web", traffic), reloads,
                Map.of(101, new Usage(10L << 20, 1.5), 201, new Usage(20L << 20, 2.25), 202, new Usage(1L << 20, 0)),
                Optional.of(new Usage(64L << 20, 12.5)), 1_765_000_000_000L, "0.1.0");
    }

    private static String text() {
        return new String(Exposition.write(input()), StandardCharsets.UTF_8);
    }

    @Test
    void everyFamilyHasItsHelpAndType() {
        String text = text();
        assertAll(FAMILIES.entrySet().stream().map(f -> () -> {
            assertTrue(text.contains("# TYPE " + f.getKey() + " " + f.getValue() + "\n"),
                    f.getKey() + " typed " + f.getValue() + ":\n" + text);
            assertTrue(text.contains("# HELP " + f.getKey() + " "), f.getKey() + " has help");
        }));
    }

    @Test
    void requestsLatencyAndErrorsAreLabelledByProgramWorkerAndCause() {
        List<String> lines = text().lines().toList();
        assertAll(
                () -> assertTrue(lines.contains("baton_http_requests_total{code=\"200\",program=\"web\"} 2.0"), ""
                        + lines),
                () -> assertTrue(lines.contains("baton_http_requests_total{code=\"503\",program=\"web\"} 1.0")),
                () -> assertTrue(lines.contains(
                        "baton_http_request_duration_seconds_bucket{program=\"web\",le=\"0.005\"} 1")),
                () -> assertTrue(lines.contains(
                        "baton_http_request_duration_seconds_bucket{program=\"web\",le=\"0.25\"} 2")),
                () -> assertTrue(lines.contains(
                        "baton_http_request_duration_seconds_bucket{program=\"web\",le=\"+Inf\"} 3")),
                () -> assertTrue(lines.contains("baton_http_request_duration_seconds_count{program=\"web\"} 3")),
                () -> assertTrue(lines.contains("baton_http_retries_total{program=\"web\"} 4.0")),
                () -> assertTrue(lines.contains(
                        "baton_upstream_errors_total{program=\"web\",reason=\"reset\",worker=\"web:1\"} 2.0")),
                () -> assertTrue(lines.contains("baton_http_queued_requests{program=\"web\"} 3.0")),
                // both generations of web:0 answer requests during a reload: their sum
                () -> assertTrue(lines.contains("baton_http_inflight_requests{program=\"web\",worker=\"web:0\"} 3.0")));
    }

    @Test
    void workersShowEachGenerationUpAndTheNewestOnesStateMemoryAndCpu() {
        List<String> lines = text().lines().toList();
        assertAll(
                () -> assertTrue(lines.contains("baton_worker_up{generation=\"1\",program=\"web\",worker=\"web:0\"} 0.0"),
                        "" + lines),
                () -> assertTrue(lines.contains("baton_worker_up{generation=\"2\",program=\"web\",worker=\"web:0\"} 1.0")),
                () -> assertTrue(lines.contains(
                        "baton_worker_state{program=\"web\",state=\"RUNNING\",worker=\"web:0\"} 1.0")),
                () -> assertTrue(lines.contains(
                        "baton_worker_state{program=\"web\",state=\"DRAINING\",worker=\"web:0\"} 0.0")),
                () -> assertTrue(lines.contains(
                        "baton_worker_state{program=\"jobs\",state=\"BACKOFF\",worker=\"jobs:0\"} 1.0")),
                () -> assertTrue(lines.contains(
                        "baton_worker_resident_memory_bytes{program=\"web\",worker=\"web:0\"} 2.097152E7")),
                () -> assertTrue(lines.contains("baton_worker_cpu_seconds_total{program=\"web\",worker=\"web:0\"} 2.25")),
                () -> assertTrue(lines.contains("baton_worker_restarts_total{program=\"jobs\",worker=\"jobs:0\"} 5.0")),
                () -> assertTrue(lines.contains("baton_generation{program=\"web\"} 2.0")),
                () -> assertTrue(lines.contains("baton_generation{program=\"jobs\"} 1.0")));
    }

    @Test
    void theWorkerLabelIsProgramAndNumberWhateverTheProcessNameAlsoForTheProxysBackends() {
        WorkerStatus named = new WorkerStatus("web_08", "web", 8, 1, WorkerState.RUNNING, 401, 0, 0, "", 1, 0, null,
                false);
        TrafficStats traffic = new TrafficStats(Map.of(), new Histogram(Histogram.REQUEST_BUCKETS).snapshot(),
                new Histogram(Histogram.REQUEST_BUCKETS).snapshot(), 0,
                List.of(new TrafficStats.UpstreamErrors("web_08", TrafficStats.UpstreamError.RESET, 1)));
        ProgramStats proxied = new ProgramStats("web", List.of("127.0.0.1:8000"), 0,
                List.of(new BackendStats("web_08", 1, "HEALTHY", 2, 0)));
        MetricsInput in = new MetricsInput(List.of("web"), List.of(named), Map.of("web", proxied),
                Map.of("web", traffic), new ReloadCounters(), Map.of(), Optional.empty(), 1_765_000_000_000L, "0.1.0");

        List<String> lines = new String(Exposition.write(in), StandardCharsets.UTF_8).lines().toList();
        assertAll(
                () -> assertTrue(lines.contains("baton_worker_up{generation=\"1\",program=\"web\",worker=\"web:8\"} 1.0"),
                        "" + lines),
                () -> assertTrue(lines.contains("baton_worker_restarts_total{program=\"web\",worker=\"web:8\"} 1.0")),
                () -> assertTrue(lines.contains("baton_http_inflight_requests{program=\"web\",worker=\"web:8\"} 2.0")),
                () -> assertTrue(lines.contains(
                        "baton_upstream_errors_total{program=\"web\",reason=\"reset\",worker=\"web:8\"} 1.0")),
                () -> assertTrue(lines.stream().noneMatch(l -> l.contains("web_08")), "" + lines));
    }

    @Test
    void aRecycledSlotIsOneSeriesUpWhileAnyOfItsWorkersRunsAndItsHeldSuccessorIsNotShownYet() {
        WorkerStatus old = new WorkerStatus("web:0", "web", 0, 1, WorkerState.RUNNING, 301, 0, 0, "", 0, 8000, null,
                false, 0, 0, "");
        WorkerStatus successor = new WorkerStatus("web:0", "web", 0, 1, WorkerState.STARTING, 302, 0, 0, "", 0, 8001,
                null, true, 1, 1, "max_requests (120 requests)");
        MetricsInput in = new MetricsInput(List.of("web"), List.of(old, successor), Map.of(), Map.of(),
                new ReloadCounters(), Map.of(301, new Usage(30L << 20, 1), 302, new Usage(5L << 20, 0)),
                Optional.empty(), 0, "0.1.0", Map.of("web", Map.of("max_requests", 3L, "unhealthy", 1L)));
        List<String> lines = new String(Exposition.write(in), StandardCharsets.UTF_8).lines().toList();
        assertAll(String.join("\n", lines),
                () -> assertEquals(1, lines.stream().filter(l -> l.startsWith("baton_worker_up{")).count()),
                () -> assertTrue(lines.contains("baton_worker_up{generation=\"1\",program=\"web\",worker=\"web:0\"} 1.0")),
                () -> assertTrue(lines.contains(
                        "baton_worker_resident_memory_bytes{program=\"web\",worker=\"web:0\"} 3.145728E7")),
                () -> assertTrue(lines.contains(
                        "baton_workers_recycled_total{program=\"web\",reason=\"max_requests\"} 3.0")),
                () -> assertTrue(lines.contains(
                        "baton_workers_recycled_total{program=\"web\",reason=\"max_memory\"} 0.0")),
                () -> assertTrue(lines.contains(
                        "baton_workers_recycled_total{program=\"web\",reason=\"unhealthy\"} 1.0")));
    }

    @Test
    void reloadsCountOnlyReloadsOfWorkersAndEveryResultIsThereFromZero() {
        List<String> lines = text().lines().toList();
        assertAll(
                () -> assertTrue(lines.contains("baton_reloads_total{program=\"web\",result=\"reloaded\"} 1.0"),
                        "" + lines),
                () -> assertTrue(lines.contains("baton_reloads_total{program=\"web\",result=\"rolled_back\"} 0.0")),
                () -> assertTrue(lines.contains("baton_reloads_total{program=\"jobs\",result=\"failed\"} 0.0")),
                () -> assertTrue(lines.contains("baton_reload_duration_seconds_bucket{program=\"web\",le=\"5.0\"} 1")),
                () -> assertTrue(lines.contains("baton_reload_duration_seconds_count{program=\"jobs\"} 0")),
                () -> assertTrue(lines.contains("process_resident_memory_bytes 6.7108864E7")),
                () -> assertTrue(lines.contains("process_start_time_seconds 1.765E9")),
                () -> assertTrue(lines.stream().anyMatch(l -> l.startsWith("baton_build_info{java=\"")
                        && l.endsWith(",version=\"0.1.0\"} 1.0"))));
    }

    @Test
    void promtoolAcceptsTheOutput() throws Exception {
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(Exposition.write(input()));
        }
        String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS), "promtool ended");
        assertEquals(0, promtool.exitValue(), "promtool check metrics:\n" + said);
        assertEquals("", said.trim(), "no lint warnings");
    }
}
