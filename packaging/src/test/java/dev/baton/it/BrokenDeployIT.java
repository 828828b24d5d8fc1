package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code baton reload} to a broken release of a proxied gunicorn app, under load: the new workers are stopped, the
 * old generation keeps serving without a failed request, and the reload exits 1 naming the worker, the reason and
 * the worker's last output.
 */
class BrokenDeployIT {

    /**
     * A release that never gets ready is given up after 10 s: no start timeout below 10 s for a Python process, so
     * that gunicorn has time to boot and log while the load keeps both cores of a loaded machine busy. A stop that
     * hangs is cut short too.
     */
    private static final String EXTRA = """
            start_timeout = "10s"
            stopwaitsecs = 3
            """;

    private static final String NOT_READY = "not ready within start_timeout (10.0s): its health check has not passed";

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    @Test
    void reloadWithAnAppThatRaisesAtImportKeepsOldGenerationServingAndShowsTheTraceback() {
        Failure failure = reloadToBrokenRelease(Release.Fault.RAISE);

        assertTrue(failure.reason().startsWith("exited too quickly: "), failure::toString);
        assertTrue(failure.lastLines().stream()
                .anyMatch(l -> l.contains("RuntimeError: release 2 is broken: cannot connect to the database")),
                () -> "the exception of the traceback in the last output\n" + failure);
    }

    @Test
    void reloadWithAnAppThatHangsAtImportKeepsOldGenerationServingAfterStartTimeout() {
        Failure failure = reloadToBrokenRelease(Release.Fault.HANG);

        assertEquals(NOT_READY, failure.reason(), failure::toString);
        assertTrue(failure.lastLines().stream().anyMatch(l -> l.contains("Booting worker with pid")),
                () -> "gunicorn's log in the last output\n" + failure);
    }

    @Test
    void reloadWithAFailingHealthCheckKeepsOldGenerationServingAfterStartTimeout() {
        Failure failure = reloadToBrokenRelease(Release.Fault.UNHEALTHY);

        assertEquals(NOT_READY, failure.reason(), failure::toString);
        assertTrue(failure.lastLines().stream().anyMatch(l -> l.contains("release 2 imported by pid")),
                () -> "the app's own output in the last output\n" + failure);
    }

    @Test
    void jsonReloadOfAnAppThatRaisesAtImportEndsWithARolledBackSummaryHoldingTheTraceback() {
        Release.install(sandbox, "1", 0.3);
        Release.start(sandbox, port, 2, EXTRA);
        Release.deploy(sandbox, "2", 0.3, Release.Fault.RAISE);

        Cli.Result reload = sandbox.baton("reload", "--json", "web");

        assertEquals(1, reload.exit(), reload::toString);
        List<Map<String, Object>> lines = reload.outLines().stream().map(Json::object).toList();
        assertTrue(lines.stream().anyMatch(l -> "failed".equals(l.get("event")) && "web".equals(l.get("program"))
                && Long.valueOf(2).equals(l.get("generation"))
                && String.valueOf(l.get("worker")).matches("web:[01]")), reload::toString);
        List<?> summary = (List<?>) lines.get(lines.size() - 1).get("summary");
        assertEquals(1, summary.size(), reload::toString);
        Map<?, ?> web = (Map<?, ?>) summary.get(0);
        assertAll(reload.toString(),
                () -> assertEquals("web", web.get("program")),
                () -> assertEquals("rolled_back", web.get("outcome")),
                () -> assertEquals(false, web.get("ok")),
                () -> assertInstanceOf(Number.class, web.get("duration_ms")),
                () -> assertInstanceOf(Number.class, web.get("generation")),
                () -> assertInstanceOf(String.class, web.get("message")),
                () -> assertTrue(String.valueOf(web.get("failed_worker")).matches("web:[01]")));
        List<?> lastLines = (List<?>) web.get("last_lines");
        assertTrue(lastLines.size() <= 20, reload::toString);
        assertTrue(lastLines.stream().anyMatch(l -> String.valueOf(l)
                .contains("RuntimeError: release 2 is broken: cannot connect to the database")), reload::toString);
        assertEquals("1", Release.served(port));
    }

    /** What a failed reload printed on stderr: the failed worker, the reason, the worker's last output lines. */
    private record Failure(String worker, String reason, List<String> lastLines, Cli.Result reload) {

        @Override
        public String toString() {
            return reload.toString();
        }
    }

    /**
     * Starts version 1 (2 workers), deploys a version 2 broken as {@code fault} and reloads while 3 keep-alive
     * clients send requests. Asserts what every broken release must give: exit 1, the failure and the last output
     * on stderr, not one failed request, version 1 still answering afterwards, status with generation 1 only
     * (the very same workers) and no process of generation 2 left.
     */
    private Failure reloadToBrokenRelease(Release.Fault fault) {
        Release.install(sandbox, "1", 0.3);
        Status before = Release.start(sandbox, port, 2, EXTRA);
        Release.deploy(sandbox, "2", 0.3, fault);
        Load load = Load.keepAlive(port, 3);

        Cli.Result reload;
        try {
            sandbox.await("the load to be answered", () -> load.answers().size() >= 10 || !load.failures().isEmpty());
            reload = sandbox.baton("reload", "web");
        } finally {
            load.stop();
        }
        Status after = sandbox.status();

        assertEquals(1, reload.exit(), () -> reload + "\n" + sandbox.context());
        Failure failure = parse(reload);
        assertEquals(List.of(), load.failures(), () -> "requests during the failed reload: " + load);
        assertTrue(load.answers().stream().allMatch(a -> a.version().equals("1")), "only version 1 answered");
        assertAll("after the rollback",
                () -> assertEquals("1", Release.served(port)),
                () -> assertEquals(List.of(1), after.generations("web"), after::toString),
                () -> assertEquals(before.pids("web"), after.pids("web"), "the very same workers keep serving"),
                () -> assertTrue(ProxyStatus.healthy(after, "web", 2), after::toString));
        Release.assertOnlyProcessesOf(sandbox, after);
        return failure;
    }

    /**
     * Reads {@code baton: web:N [gen 2] failed: REASON; rolled back, generation 1 keeps serving in T s}, then
     * {@code web:N last output:} and up to 20 lines each prefixed {@code "  | "}, from the reload's stderr.
     */
    private static Failure parse(Cli.Result reload) {
        List<String> err = reload.errLines();
        Pattern failed = Pattern.compile("^baton: (web:[01]) \\[gen 2\\] failed: (.+); rolled back, generation 1 keeps"
                + " serving in \\d+(\\.\\d+)?s$");
        int at = -1;
        Matcher m = null;
        for (int i = 0; i < err.size() && at < 0; i++) {
            m = failed.matcher(err.get(i));
            at = m.matches() ? i : -1;
        }
        assertTrue(at >= 0, () -> "no failure line on stderr\n" + reload);
        String worker = m.group(1);
        assertTrue(at + 1 < err.size() && err.get(at + 1).equals(worker + " last output:"), reload::toString);
        List<String> last = err.subList(at + 2, err.size()).stream().takeWhile(l -> l.startsWith("  | "))
                .map(l -> l.substring(4)).toList();
        assertFalse(last.isEmpty(), () -> "the worker's last output is shown\n" + reload);
        assertTrue(last.size() <= 20, () -> "at most 20 lines of last output\n" + reload);
        return new Failure(worker, m.group(2), last, reload);
    }
}
