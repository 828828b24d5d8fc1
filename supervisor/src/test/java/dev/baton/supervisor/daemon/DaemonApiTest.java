package dev.baton.supervisor.daemon;

import dev.baton.proxy.BackendStats;
import dev.baton.proxy.ProgramStats;
import dev.baton.supervisor.ReloadEvent;
import dev.baton.supervisor.ReloadResult;
import dev.baton.supervisor.Supervisor;
import dev.baton.supervisor.WorkerState;
import dev.baton.supervisor.WorkerStatus;
import dev.baton.supervisor.control.Json;
import dev.baton.supervisor.control.ReloadStep;
import dev.baton.supervisor.control.ReloadSummary;
import dev.baton.supervisor.control.Results;
import dev.baton.supervisor.control.StatusReply;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The records {@link DaemonApi} answers write exactly the JSON its maps wrote before: every expected text below is
 * what the map-building DaemonApi of commit a4431f3 wrote for the same data.
 */
class DaemonApiTest {

    private static final long NOW = 1_000_000;

    private static final ProgramStats WEB = new ProgramStats("web", List.of("127.0.0.1:8080", "unix:/tmp/web.sock"), 3,
            List.of(new BackendStats("web:0", 2, "HEALTHY", 4, 1)));
    private static final WorkerStatus RUNNING = new WorkerStatus("web:0", "web", 0, 2, WorkerState.RUNNING, 4242,
            NOW - 5000, NOW - 61000, "", 1, 8001, null, false);
    private static final WorkerStatus HELD = new WorkerStatus("web:1", "web", 1, 3, WorkerState.STARTING, 4343,
            NOW - 100, NOW - 100, "waiting for health \"/\"", 0, 0, Path.of("/run/w/web-1.sock"), true);
    private static final WorkerStatus DOWN = new WorkerStatus("jobs:0", "jobs", 0, 1, WorkerState.BACKOFF, 0,
            NOW - 7000, 0, "exited with status 1", 4, 0, null, false);

    private static final String PROGRAM = "{\"name\":\"web\",\"listen\":[\"127.0.0.1:8080\",\"unix:/tmp/web.sock\"],"
            + "\"queued\":3}";
    private static final String WORKER_RUNNING = "{\"name\":\"web:0\",\"program\":\"web\",\"index\":0,\"generation\":2,"
            + "\"state\":\"RUNNING\",\"pid\":4242,\"uptime_ms\":61000,\"since_ms\":5000,\"reason\":\"\",\"restarts\":1,"
            + "\"port\":8001,\"socket\":null,\"held\":false,\"backend\":\"HEALTHY\",\"inflight\":4}";
    private static final String WORKER_HELD = "{\"name\":\"web:1\",\"program\":\"web\",\"index\":1,\"generation\":3,"
            + "\"state\":\"STARTING\",\"pid\":4343,\"uptime_ms\":100,\"since_ms\":100,"
            + "\"reason\":\"waiting for health \\\"/\\\"\",\"restarts\":0,\"port\":0,\"socket\":\"/run/w/web-1.sock\","
            + "\"held\":true,\"backend\":\"NONE\",\"inflight\":0}";
    private static final String WORKER_UNPROXIED = "{\"name\":\"jobs:0\",\"program\":\"jobs\",\"index\":0,"
            + "\"generation\":1,\"state\":\"BACKOFF\",\"pid\":0,\"uptime_ms\":0,\"since_ms\":7000,"
            + "\"reason\":\"exited with status 1\",\"restarts\":4,\"port\":0,\"socket\":null,\"held\":false}";
    private static final String STEP = "{\"program\":\"web\",\"worker\":\"web:1\",\"generation\":3,\"event\":\"ready\","
            + "\"message\":\"web:1 [gen 3] ready after 1.2s\"}";
    private static final String SUMMARY = "{\"summary\":[{\"program\":\"web\",\"generation\":2,"
            + "\"outcome\":\"rolled_back\",\"ok\":false,\"message\":\"web: rolled back to gen 2\",\"duration_ms\":1500,"
            + "\"failed_worker\":\"web:1\",\"last_lines\":[\"Traceback\",\"  boom\"]},{\"program\":\"jobs\","
            + "\"generation\":4,\"outcome\":\"reloaded\",\"ok\":true,\"message\":\"jobs: reloaded\",\"duration_ms\":0,"
            + "\"failed_worker\":\"\",\"last_lines\":[]}]}";
    private static final String RESULTS = "{\"results\":[{\"worker\":\"web:0\",\"ok\":true,\"message\":\"started\"},"
            + "{\"worker\":\"web:1\",\"ok\":false,\"message\":\"exited with status 1\"}]}";

    @Test
    void aWorkerOfAProxiedProgramCarriesItsBackendAndOthersLeaveTheKeysOut() {
        assertEquals(WORKER_RUNNING, Json.write(DaemonApi.worker(RUNNING, NOW, WEB)));
        assertEquals(WORKER_HELD, Json.write(DaemonApi.worker(HELD, NOW, WEB)));
        assertEquals(WORKER_UNPROXIED, Json.write(DaemonApi.worker(DOWN, NOW, null)));
    }

    @Test
    void theStatusReplyIsWrittenAsBefore() {
        StatusReply status = new StatusReply(new StatusReply.DaemonInfo(99, "0.1.0", "/etc/baton/baton.toml",
                "/run/baton/baton.sock", 12345), List.of(DaemonApi.program(WEB)),
                List.of(DaemonApi.worker(RUNNING, NOW, WEB), DaemonApi.worker(HELD, NOW, WEB),
                        DaemonApi.worker(DOWN, NOW, null)));
        String expected = "{\"daemon\":{\"pid\":99,\"version\":\"0.1.0\",\"config\":\"/etc/baton/baton.toml\","
                + "\"socket\":\"/run/baton/baton.sock\",\"uptime_ms\":12345},\"programs\":[" + PROGRAM + "],"
                + "\"workers\":[" + WORKER_RUNNING + "," + WORKER_HELD + "," + WORKER_UNPROXIED + "]}";
        assertEquals(expected, Json.write(status));
        assertEquals(status, Json.read(expected, StatusReply.class));
        assertEquals(expected, Json.write(Json.read(expected, StatusReply.class)), "status --json reprints it as is");
    }

    @Test
    void reloadStepsAndTheSummaryAreWrittenAsBefore() {
        ReloadStep step = DaemonApi.step(new ReloadEvent("web", "web:1", 3, "ready", "web:1 [gen 3] ready after 1.2s"));
        ReloadSummary summary = DaemonApi.summary(List.of(
                new ReloadResult("web", 2, ReloadResult.Outcome.ROLLED_BACK, "web: rolled back to gen 2", 1500,
                        "web:1", List.of("Traceback", "  boom")),
                new ReloadResult("jobs", 4, ReloadResult.Outcome.RELOADED, "jobs: reloaded", 0, "", List.of())));
        assertEquals(STEP, Json.write(step));
        assertEquals(SUMMARY, Json.write(summary));
        assertEquals(summary, Json.read(SUMMARY, ReloadSummary.class));
    }

    @Test
    void resultsAreWrittenAsBefore() {
        Results results = DaemonApi.results(List.of(new Supervisor.Result("web:0", true, "started"),
                new Supervisor.Result("web:1", false, "exited with status 1")));
        assertEquals(RESULTS, Json.write(results));
        assertEquals(results, Json.read(RESULTS, Results.class));
    }
}
