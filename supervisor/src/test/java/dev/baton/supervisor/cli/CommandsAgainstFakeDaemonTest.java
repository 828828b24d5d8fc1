package dev.baton.supervisor.cli;

import dev.baton.supervisor.CanaryComparison;
import dev.baton.supervisor.control.Json;
import dev.baton.supervisor.control.ReloadStep;
import dev.baton.supervisor.control.ReloadSummary;
import dev.baton.supervisor.control.ReloadSummary.ProgramReload;
import dev.baton.supervisor.control.StatusReply;
import dev.baton.supervisor.log.LogStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI reads the daemon's records and prints them; a fake daemon answers on a real socket. Numeric options are
 * checked on the command line: a value out of range is a usage error and nothing is sent.
 */
class CommandsAgainstFakeDaemonTest {

    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private FakeDaemon daemon;

    @BeforeEach
    void setUp() throws Exception {
        daemon = new FakeDaemon(dir.resolve("baton.sock"));
        daemon.status = new StatusReply(new StatusReply.DaemonInfo(42, "dev", "baton.toml", "baton.sock", 1000),
                List.of(new StatusReply.ProgramInfo("web", List.of("127.0.0.1:8080"), 0)),
                List.of(StatusCommandTest.RUNNING, StatusCommandTest.HELD, StatusCommandTest.DOWN));
    }

    @AfterEach
    void tearDown() {
        daemon.close();
    }

    @Test
    void statusJsonPrintsTheDaemonsAnswerAsIs() {
        FakeDaemon.Run run = daemon.baton("status", "--json");
        assertEquals(3, run.exit(), run::toString);
        assertEquals(Json.write(daemon.status) + NL, run.out());
    }

    @Test
    void statusTargetsSelectWorkersAndExitZeroWhenTheyAllRun() {
        FakeDaemon.Run web = daemon.baton("status", "web:*");
        assertEquals(0, web.exit(), web::toString);
        assertTrue(web.out().contains("web:0 ") && web.out().contains("web:1 ") && !web.out().contains("worker-long"),
                web.out());
        assertTrue(web.out().endsWith(NL + "web: listening on 127.0.0.1:8080, 0 queued" + NL), web.out());
        FakeDaemon.Run one = daemon.baton("status", "--json", "worker-long:10");
        assertEquals(3, one.exit(), one::toString);
        StatusReply shown = Json.read(one.out(), StatusReply.class);
        assertEquals(List.of(StatusCommandTest.DOWN), shown.workers());
        assertEquals(daemon.status.daemon(), shown.daemon());
    }

    @Test
    void statusSelectsANamedWorkerByItsNumberAndItsJsonHasTheNameNextToProgramAndIndex() {
        StatusReply.WorkerInfo named = new StatusReply.WorkerInfo("web_08", "web", 8, 1, "RUNNING", 4242, 1000, 1000,
                "", 0, 0, null, false, Optional.empty(), Optional.empty());
        daemon.status = new StatusReply(daemon.status.daemon(), List.of(), List.of(named, StatusCommandTest.DOWN));

        FakeDaemon.Run table = daemon.baton("status", "web:8");
        assertEquals(0, table.exit(), table::toString);
        assertTrue(table.out().split(NL)[1].startsWith("web_08  RUNNING"), table.out());
        FakeDaemon.Run json = daemon.baton("status", "--json", "web:8");
        assertTrue(json.out().contains("{\"name\":\"web_08\",\"program\":\"web\",\"index\":8,"), json.out());
    }

    @Test
    void statusOfAnUnknownOrMalformedTargetIsAUsageError() {
        FakeDaemon.Run unknown = daemon.baton("status", "nope");
        assertEquals(2, unknown.exit(), unknown::toString);
        assertEquals("baton: no such program, group or worker: nope" + NL, unknown.err());
        FakeDaemon.Run malformed = daemon.baton("status", "web:");
        assertEquals(2, malformed.exit(), malformed::toString);
        assertTrue(malformed.err().startsWith("baton: invalid target \"web:\": "), malformed.err());
        assertEquals(List.of(List.of("nope")), daemon.resolved, "a malformed target is not sent");
    }

    @Test
    void startSendsCanonicalTargetsAndPrintsOneLinePerWorker() {
        FakeDaemon.Run run = daemon.baton("start", "web:*", "api:9");
        assertEquals(1, run.exit(), run::toString);
        assertEquals("web: done" + NL, run.out());
        assertEquals("api:9: failed" + NL, run.err());
        FakeDaemon.Run signal = daemon.baton("signal", "HUP", "all");
        assertEquals(0, signal.exit(), signal::toString);
        assertEquals(List.of("start [web, api:9]", "signal HUP [all]"), daemon.requests);
        FakeDaemon.Run malformed = daemon.baton("stop", ":1");
        assertEquals(2, malformed.exit(), malformed::toString);
        assertEquals(List.of("start [web, api:9]", "signal HUP [all]"), daemon.requests, "nothing sent");
    }

    @Test
    void reloadPrintsStepsThenTheFailuresOfTheSummary() {
        daemon.steps = List.of(new ReloadStep("web", "web:0", 3, "started", "web:0 [gen 3] started"),
                new ReloadStep("jobs", "", 2, "scaled", "jobs: scaled to 2"));
        daemon.summary = new ReloadSummary(List.of(
                new ProgramReload("web", 2, "rolled_back", false, "web: rolled back to gen 2", 1500, "web:0",
                        List.of("Traceback", "  boom")),
                new ProgramReload("jobs", 2, "scaled", true, "jobs: scaled to 2", 0, "", List.of())));
        FakeDaemon.Run run = daemon.baton("reload");
        assertEquals(1, run.exit(), run::toString);
        assertEquals("web:0 [gen 3] started" + NL + "jobs: scaled to 2" + NL, run.out());
        assertEquals("baton: web: rolled back to gen 2 in 1.5s" + NL + "web:0 last output:" + NL + "  | Traceback" + NL
                + "  |   boom" + NL, run.err());

        FakeDaemon.Run json = daemon.baton("reload", "--json");
        assertEquals(1, json.exit(), json::toString);
        assertEquals(Json.write(daemon.steps.get(0)) + NL + Json.write(daemon.steps.get(1)) + NL
                + Json.write(daemon.summary) + NL, json.out());
    }

    @Test
    void canaryReloadAsksForACanaryAndPrintsTheComparisonOfARolledBackOneOnStderr() {
        CanaryComparison comparison = new CanaryComparison("web:0", 4, 3, 2_000,
                new CanaryComparison.Side(19, 10, 52.63, Optional.of(14.1)),
                new CanaryComparison.Side(171, 0, 0, Optional.of(9.8)),
                "its error share 52.6% (10 of 19) exceeds the old workers' 0.0% by more than 1 percentage point, beyond doubt");
        daemon.summary = new ReloadSummary(List.of(new ProgramReload("web", 3, "rolled_back", false,
                "web:0 [gen 4] failed: canary: ...; rolled back, generation 3 keeps serving", 4100, "web:0", List.of(),
                Optional.of(comparison))));
        FakeDaemon.Run run = daemon.baton("reload", "--canary", "web");
        assertEquals(1, run.exit(), run::toString);
        assertEquals(List.of("reload [web] canary"), daemon.requests);
        assertEquals("baton: web:0 [gen 4] failed: canary: ...; rolled back, generation 3 keeps serving in 4.1s" + NL
                + "web: canary web:0 [gen 4] over 2.0s: its error share 52.6% (10 of 19) exceeds the old workers' 0.0%"
                + " by more than 1 percentage point, beyond doubt" + NL
                + "                          requests  errors  error %        p99" + NL
                + "  canary web:0 [gen 4]          19      10    52.6%    14.1 ms" + NL
                + "  old workers [gen 3]          171       0     0.0%     9.8 ms" + NL, run.err());
    }

    @Test
    void aRefusedReloadPrintsTheDaemonsErrorAndExitsBusy() {
        FakeDaemon.Run run = daemon.baton("reload", "busy");
        assertEquals(5, run.exit(), run::toString);
        assertEquals("baton: a reload of busy is already running" + NL, run.err());
    }

    @Test
    void logsPrintEachLineWithItsSourceAndAnUnknownTargetIsAUsageError() {
        daemon.hub.publish("web:0", LogStream.STDOUT, "hello");
        daemon.hub.publish("baton", LogStream.STDERR, "reloading");
        daemon.hub.publish("web:12", LogStream.STDERR, "world");
        FakeDaemon.Run all = daemon.baton("logs", "--color=never");
        assertEquals(0, all.exit(), all::toString);
        assertEquals("web:0 | hello" + NL + "baton | reloading" + NL + "web:12 | world" + NL, all.out());
        FakeDaemon.Run web = daemon.baton("logs", "--color=never", "web:12");
        assertEquals("web:12 | world" + NL, web.out());
        FakeDaemon.Run unknown = daemon.baton("logs", "nope");
        assertEquals(2, unknown.exit(), unknown::toString);
        assertEquals("baton: no such program, group or worker: nope" + NL, unknown.err());
    }

    @Test
    void everyCommandAnswersHelpAsItsUsageErrorsSuggest() {
        for (String command : List.of("run", "status", "start", "stop", "restart", "reload", "reread", "update",
                "avail", "upgrade", "signal", "pid", "logs", "shutdown", "check", "version")) {
            FakeDaemon.Run help = daemon.baton(command, "--help");
            assertEquals(0, help.exit(), help::toString);
            assertTrue(help.out().startsWith("Usage: baton " + command), help::toString);
            assertTrue(help.out().contains("-h, --help"), help::toString);
            assertEquals("", help.err(), help::toString);
        }
    }

    /** Exit 2, and stderr is the one-line error followed by picocli's hint, as for every command-line mistake. */
    private static void assertUsageError(FakeDaemon.Run run, String error, String command) {
        assertEquals(2, run.exit(), run::toString);
        assertEquals("", run.out(), run::toString);
        assertEquals("baton: " + error + NL + "Try 'baton " + command + " --help'." + NL, run.err());
    }

    @Test
    void shutdownSaysTheDaemonLeavesThePoolFirstAndWaitsItsShutdownDelayOnTopOfTheTimeout() {
        daemon.shutdownAnswer = new dev.baton.supervisor.control.Message("leaving the pool: /ready answers 503;"
                + " serving 1s more (shutdown_delay), then shutting down", 0, java.util.Optional.of(1_000L));
        long started = System.nanoTime();
        FakeDaemon.Run run = daemon.baton("shutdown", "--timeout", "1"); // the fake daemon never goes away

        long took = (System.nanoTime() - started) / 1_000_000;
        assertEquals(1, run.exit(), run::toString);
        assertEquals("baton: leaving the pool: /ready answers 503; serving 1s more (shutdown_delay), then shutting"
                + " down\n", run.out());
        assertEquals("baton: still shutting down after 1s\n", run.err());
        assertTrue(took >= 2_000, "waited the timeout after the delay: " + took + " ms");
    }

    @Test
    void aShutdownTimeoutBelowOneSecondIsAUsageErrorAndNothingIsSent() {
        for (String value : List.of("-1", "0", "abc", "1.5", "-0")) {
            assertUsageError(daemon.baton("shutdown", "--timeout", value),
                    "Invalid value for option '--timeout': '" + value + "' is not a whole number from 1", "shutdown");
        }
        assertUsageError(daemon.baton("shutdown", "--timeout=-5"),
                "Invalid value for option '--timeout': '-5' is not a whole number from 1", "shutdown");
        assertEquals(List.of(), daemon.requests, "the daemon was not asked to shut down");
    }

    @Test
    void aNegativeOrNonNumericLineCountIsAUsageErrorAndNothingIsSent() {
        for (String value : List.of("-1", "ten", "2.5")) {
            assertUsageError(daemon.baton("logs", "-n", value),
                    "Invalid value for option '--lines': '" + value + "' is not a whole number from 0", "logs");
        }
        assertUsageError(daemon.baton("logs", "--lines=-3"),
                "Invalid value for option '--lines': '-3' is not a whole number from 0", "logs");
        assertEquals(List.of(), daemon.requests);
    }

    @Test
    void zeroLinesShowsNoHistoryAndAHugeCountShowsAllThatIsKept() {
        daemon.hub.publish("web:0", LogStream.STDOUT, "hello");
        FakeDaemon.Run none = daemon.baton("logs", "--color=never", "-n", "0");
        assertEquals(0, none.exit(), none::toString);
        assertEquals("", none.out(), none::toString);
        FakeDaemon.Run all = daemon.baton("logs", "--color=never", "-n", "99999999999999999999");
        assertEquals(0, all.exit(), all::toString);
        assertEquals("web:0 | hello" + NL, all.out(), all::toString);
    }
}
