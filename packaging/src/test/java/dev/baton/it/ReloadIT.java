package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code baton reload} and SIGHUP: the file is re-read and validated first (an invalid one changes nothing), added
 * programs start, removed ones stop, every named program rolls to a new generation, a change of numprocs alone
 * scales, and one reload of a program runs at a time. Program {@code web} is the gunicorn app of
 * fixtures/release_app.py behind Baton's proxy; {@code api} a worker without {@code listen}.
 */
class ReloadIT {

    private static final String API = """

            [program.api]
            command = "python3 worker.py"
            startsecs = 0
            """;

    /**
     * A program whose worker ignores SIGTERM, so its old generation takes stopwaitsecs (3 s) to go: long enough for
     * {@code baton status}, polled on a loaded machine, to see it STOPPING.
     */
    private static final String SLOW = """

            [program.slow]
            command = "python3 worker.py --ignore-term"
            startsecs = 0
            stopwaitsecs = 3
            """;

    /** A duration as the progress lines show it: 2.3s. */
    private static final String SECONDS = "\\d+(\\.\\d+)?s";

    private static final Set<String> EVENTS = Set.of("reloading", "started", "ready", "switched", "draining",
            "stopping", "stopped", "failed", "added", "removed", "scaled", "updated");

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    private Daemon daemon;

    @Test
    void reloadOfOneProgramRollsItToTheNextGenerationAndLeavesTheOtherProgramAlone() {
        Status before = start(web(2) + API, 2);
        Release.deploy(sandbox, "2", 0.2, Release.Fault.NONE);

        Cli.Result reload = sandbox.baton("reload", "web");

        assertEquals(0, reload.exit(), () -> reload + "\n" + sandbox.context());
        Status after = sandbox.status();
        assertProgress(reload, after);
        assertEquals("2", Release.served(port));
        assertEquals(List.of(2), after.generations("web"), after::toString);
        assertTrue(after.program("web").stream().allMatch(w -> "HEALTHY".equals(ProxyStatus.backend(after, w.name()))),
                () -> "both new workers passed their health check: " + after);
        assertFalse(before.pids("web").stream().anyMatch(after.pids("web")::contains), after::toString);
        assertUnchanged(before, after, "api:0");
        Status web = Release.awaitHealthy(sandbox, 2);

        Cli.Result api = sandbox.baton("reload", "api");

        assertEquals(0, api.exit(), () -> api + "\n" + sandbox.context());
        Status rolled = sandbox.status();
        assertEquals(List.of(2), rolled.generations("api"), rolled::toString);
        assertTrue(rolled.running("api", 1), rolled::toString);
        assertFalse(Procs.alive(before.worker("api:0").pid()), "api:0 of generation 1 is gone");
        assertUnchanged(web, rolled, "web:0", "web:1");
        assertTrue(api.outLines().get(api.outLines().size() - 1).matches("api: reloaded to generation 2 in "
                + SECONDS), api::toString);
    }

    /** nohup (and some job runners) start Baton with SIGHUP ignored; it still reloads on SIGHUP, like nginx. */
    @Test
    void hupReloadsADaemonStartedWithSigHupIgnored() {
        sandbox.daemonPrefix("nohup");
        start(web(2) + API, 2);
        sandbox.writeConfig(web(2) + API + API.replace("api", "extra"));

        daemon.signal("HUP");

        sandbox.awaitStatus("extra added by the SIGHUP", s -> s.running("extra", 1));
        assertFalse(daemon.stderr().contains("SIGHUP was ignored"), daemon::tail);
    }

    @Test
    void hupWithAnInvalidFileChangesNothingAndOnceFixedReloadsEveryProgram() {
        Status before = start(web(2) + API, 2);
        sandbox.writeConfig(web(2).replace("numprocs = 2", "numprocs = \"two\"") + API.replace("api", "extra"));

        daemon.signal("HUP");

        sandbox.await("the daemon to refuse the broken configuration",
                () -> logHas("configuration not reloaded, nothing changed: 1 error"));
        assertTrue(daemon.stderr().contains("baton.toml:7:12: program.web.numprocs: expected an integer, found a"
                + " string"), daemon::tail);
        Status after = sandbox.status();
        assertUnchanged(before, after, "web:0", "web:1", "api:0");
        assertTrue(after.program("extra").isEmpty(), "nothing of the broken file was applied");

        Release.deploy(sandbox, "2", 0.2, Release.Fault.NONE);
        sandbox.writeConfig(web(2) + API + API.replace("api", "extra"));
        daemon.signal("HUP");

        sandbox.await("the reload of web in the daemon log",
                () -> logHas("reload: web: reloaded to generation 2(\\D.*)?"));
        Status fixed = sandbox.awaitStatus("extra added and api rolled to generation 2", s -> s.running("extra", 1)
                && s.running("api", 1) && s.generations("api").equals(List.of(2)));
        assertEquals("2", Release.served(port));
        assertEquals(List.of(2), fixed.generations("web"), fixed::toString);
        assertFalse(Procs.alive(before.worker("api:0").pid()), "api:0 of generation 1 is gone");
    }

    @Test
    void reloadOfABrokenFileIsRefusedWithExit2ListingEveryErrorWhileControlCommandsKeepWorking() {
        start(web(2) + API, 2);
        sandbox.writeConfig("this is [not toml");

        Cli.Result status = sandbox.baton("status");
        Cli.Result restart = sandbox.baton("restart", "api:0");
        Cli.Result unparsable = sandbox.baton("reload");

        assertEquals(0, status.exit(), status::toString);
        assertEquals(0, restart.exit(), restart::toString);
        assertEquals("api:0: started\n", restart.out(), restart::toString);
        assertEquals(2, unparsable.exit(), unparsable::toString);
        assertTrue(unparsable.err().startsWith("baton: configuration not reloaded, nothing changed: 1 error"),
                unparsable::toString);

        Status before = sandbox.awaitRunning("api", 1);
        sandbox.writeConfig(web(2).replace("numprocs = 2", "numprocs = \"two\"")
                .replace("health_interval", "reload_strategy = \"yolo\"\nhealth_interval") + API.replace("api", "extra"));
        Cli.Result invalid = sandbox.baton("reload");

        assertEquals(2, invalid.exit(), invalid::toString);
        List<String> err = invalid.errLines();
        assertTrue(err.get(0).matches("baton: configuration not reloaded, nothing changed: 2 error(s|\\(s\\))"),
                invalid::toString);
        assertEquals(3, err.size(), () -> "the summary and one line per error\n" + invalid);
        assertTrue(err.get(1).strip().matches(".*baton\\.toml:7:12: program\\.web\\.numprocs: expected an integer,"
                + " found a string"), invalid::toString);
        assertTrue(err.get(2).strip().matches(".*baton\\.toml:10:\\d+: program\\.web\\.reload_strategy: .+"),
                invalid::toString);
        assertUnchanged(before, sandbox.status(), "web:0", "web:1", "api:0");

        sandbox.writeConfig(web(2) + API);
        Cli.Result unknown = sandbox.baton("reload", "nosuch");

        assertEquals(2, unknown.exit(), unknown::toString);
        assertTrue(unknown.err().contains("nosuch"), unknown::toString);
        Status after = sandbox.status();
        assertUnchanged(before, after, "web:0", "web:1", "api:0");
        assertTrue(after.program("extra").isEmpty(), "nothing of the broken file was applied");
    }

    @Test
    void numprocsChangeAloneScalesWithoutRestartingTheWorkersThatStay() {
        Status before = start(web(2), 2);
        sandbox.writeConfig(web(3));

        Cli.Result up = sandbox.baton("reload");

        assertEquals(0, up.exit(), () -> up + "\n" + sandbox.context());
        assertTrue(up.outLines().contains("web: scaled from 2 to 3 workers"), up::toString);
        Status three = Release.awaitHealthy(sandbox, 3);
        assertUnchanged(before, three, "web:0", "web:1");

        sandbox.writeConfig(web(2));
        Cli.Result down = sandbox.baton("reload");

        assertEquals(0, down.exit(), () -> down + "\n" + sandbox.context());
        assertTrue(down.outLines().contains("web: scaled from 3 to 2 workers"), down::toString);
        Status two = Release.awaitHealthy(sandbox, 2);
        assertUnchanged(before, two, "web:0", "web:1");
        sandbox.awaitGone("web:2", three.worker("web:2").pid());
        Release.assertOnlyProcessesOf(sandbox, two);
    }

    @Test
    void secondReloadWhileOneRunsIsRefusedWithExit5AndReloadWaitRunsAfterIt() {
        start(web(2), 2);
        Release.deploy(sandbox, "2", 2.0, Release.Fault.NONE);
        CompletableFuture<Long> firstEnded = new CompletableFuture<>();
        CompletableFuture<Cli.Result> first = CompletableFuture.supplyAsync(() -> sandbox.baton("reload", "web"))
                .whenComplete((r, e) -> firstEnded.complete(System.nanoTime()));
        sandbox.awaitInFile(sandbox.logFile("web", 0, "out"), "release 2 loading");
        sandbox.awaitInFile(sandbox.logFile("web", 1, "out"), "release 2 loading");
        Release.deploy(sandbox, "3", 0.2, Release.Fault.NONE);

        Cli.Result second = sandbox.baton("reload", "web");
        boolean firstStillRunning = !first.isDone();
        Cli.Result waited = sandbox.baton("reload", "--wait", "web");
        long waitedEnded = System.nanoTime();

        assertTrue(firstStillRunning, "the first reload was still running when the second was refused");
        assertEquals(5, second.exit(), second::toString);
        assertEquals("baton: a reload of web is already running; wait for it to end, or use baton reload --wait\n",
                second.err(), second::toString);
        Cli.Result firstResult = first.join();
        assertEquals(0, firstResult.exit(), () -> firstResult + "\n" + sandbox.context());
        assertEquals(0, waited.exit(), () -> waited + "\n" + sandbox.context());
        assertTrue(firstEnded.join() < waitedEnded, "reload --wait ended after the first reload");
        assertTrue(waited.outLines().contains("web: reloading to generation 3 (surge, 2 workers)"),
                waited::toString);
        assertEquals("3", Release.served(port));
        Status after = sandbox.status();
        assertEquals(List.of(3), after.generations("web"), after::toString);
        Release.assertOnlyProcessesOf(sandbox, after);
    }

    @Test
    void jsonReloadPrintsOneObjectPerStepAndASummaryOfAddedRolledAndRemovedPrograms() {
        start(web(2), 2);
        sandbox.writeConfig(web(2) + API);

        Cli.Result added = sandbox.baton("reload", "--json");

        assertEquals(0, added.exit(), () -> added + "\n" + sandbox.context());
        Map<String, Map<?, ?>> summary = summary(added);
        assertOutcome(summary, "web", "reloaded", 2);
        assertOutcome(summary, "api", "added", null);
        List<Map<String, Object>> steps = steps(added);
        for (String event : List.of("reloading", "started", "ready", "switched", "stopping", "stopped")) {
            assertTrue(steps.stream().anyMatch(s -> "web".equals(s.get("program")) && event.equals(s.get("event"))),
                    () -> "a step \"" + event + "\" of web\n" + added);
        }
        assertTrue(steps.stream().anyMatch(s -> "api".equals(s.get("program")) && "added".equals(s.get("event"))),
                added::toString);
        long api = sandbox.awaitRunning("api", 1).worker("api:0").pid();

        sandbox.writeConfig(web(2));
        Cli.Result removed = sandbox.baton("reload", "--json");

        assertEquals(0, removed.exit(), () -> removed + "\n" + sandbox.context());
        Map<String, Map<?, ?>> after = summary(removed);
        assertOutcome(after, "web", "reloaded", 3);
        assertOutcome(after, "api", "removed", null);
        assertTrue(steps(removed).stream().anyMatch(s -> "api".equals(s.get("program"))
                && "removed".equals(s.get("event"))), removed::toString);
        sandbox.awaitGone("api:0", api);
        assertTrue(sandbox.status().program("api").isEmpty());
    }

    /**
     * A reload whose old worker ignores SIGTERM (so it takes stopwaitsecs to go), a SIGHUP while it runs and a
     * {@code reload --wait} right after must leave exactly the workers status shows: none orphaned, none doubled.
     */
    @Test
    void backToBackReloadsAndHupLeaveExactlyTheWorkersStatusShows() {
        Status before = start(web(2) + SLOW, 2);
        long slow = before.worker("slow:0").pid();
        sandbox.awaitInFile(sandbox.logFile("slow", 0, "out"), "ready");

        CompletableFuture<Cli.Result> first = CompletableFuture.supplyAsync(() -> sandbox.baton("reload", "slow"));
        sandbox.awaitStatus("slow:0 of generation 1 STOPPING", s -> s.workers().stream()
                .anyMatch(w -> w.pid() == slow && w.state().equals("STOPPING")));
        daemon.signal("HUP");
        Cli.Result waited = sandbox.baton("reload", "--wait", "slow");
        Cli.Result firstResult = first.join();

        assertEquals(0, firstResult.exit(), () -> firstResult + "\n" + sandbox.context());
        assertEquals(0, waited.exit(), () -> waited + "\n" + sandbox.context());
        sandbox.awaitGone("slow:0 of generation 1, SIGKILLed after stopwaitsecs", slow);
        Status settled = sandbox.awaitStatus("one slow and two web workers RUNNING, one generation each",
                s -> s.running("slow", 1) && s.running("web", 2) && s.workers().size() == 3
                        && s.generations("web").size() == 1);
        Release.assertOnlyProcessesOf(sandbox, settled);
    }

    /** The gunicorn app as {@code web} with {@code numprocs} workers. */
    private String web(int numprocs) {
        return Release.program(port, numprocs, "");
    }

    /**
     * Installs version 1 of the app (0.2 s import) and the worker fixture, writes {@code config}, starts the daemon
     * and waits for {@code webWorkers} healthy web workers and every other worker RUNNING.
     */
    private Status start(String config, int webWorkers) {
        Release.install(sandbox, "1", 0.2);
        sandbox.copyWorkerFixture();
        sandbox.writeConfig(config);
        daemon = sandbox.startDaemon();
        return sandbox.awaitStatus(webWorkers + " web workers HEALTHY, every worker RUNNING",
                s -> ProxyStatus.healthy(s, "web", webWorkers) && s.allRunning());
    }

    /**
     * The progress of {@code baton reload web} from generation 1 to 2 with 2 workers (surge): reloading first;
     * each new worker started (with the pid status shows) and then ready; all of them ready before the switch;
     * each old worker stopping and then stopped after the switch; reloaded last.
     */
    private static void assertProgress(Cli.Result reload, Status after) {
        List<String> out = reload.outLines();
        assertEquals("web: reloading to generation 2 (surge, 2 workers)", out.get(0), reload::toString);
        assertTrue(out.get(out.size() - 1).matches("web: reloaded to generation 2 in " + SECONDS), reload::toString);
        int switched = out.indexOf("web: 2 of 2 workers switched to generation 2");
        assertTrue(switched > 0, () -> "the switch\n" + reload);
        for (int i = 0; i < 2; i++) {
            String worker = "web:" + i;
            long pid = after.program("web", 2).stream().filter(w -> w.name().equals(worker)).findFirst()
                    .orElseThrow().pid();
            int started = out.indexOf(worker + " [gen 2] started, pid " + pid);
            int ready = indexOf(out, Pattern.quote(worker + " [gen 2] ready after ") + SECONDS);
            int stopping = indexOf(out, Pattern.quote(worker + " [gen 1] stopping: ") + ".+");
            int stopped = out.indexOf(worker + " [gen 1] stopped");
            assertTrue(started > 0 && started < ready && ready < switched && switched < stopping
                    && stopping < stopped, () -> worker + ": started, ready, switch, stopping, stopped\n" + reload);
        }
    }

    private static int indexOf(List<String> lines, String regex) {
        return IntStream.range(0, lines.size()).filter(i -> lines.get(i).matches(regex)).findFirst().orElse(-1);
    }

    /** Every line but the last of {@code reload --json}: the steps, each with its five keys. */
    private static List<Map<String, Object>> steps(Cli.Result reload) {
        List<String> lines = reload.outLines();
        List<Map<String, Object>> steps = lines.subList(0, lines.size() - 1).stream().map(Json::object).toList();
        for (Map<String, Object> step : steps) {
            assertTrue(step.keySet().containsAll(List.of("program", "worker", "generation", "event", "message")),
                    () -> "a step with program, worker, generation, event and message: " + step);
            assertTrue(EVENTS.contains(step.get("event")), () -> "a known event: " + step);
        }
        return steps;
    }

    /** The last line of {@code reload --json}: each program's summary entry by name, each with its eight keys. */
    private static Map<String, Map<?, ?>> summary(Cli.Result reload) {
        List<String> lines = reload.outLines();
        assertFalse(lines.isEmpty(), reload::toString);
        Map<String, Object> last = Json.object(lines.get(lines.size() - 1));
        assertEquals(Set.of("summary"), last.keySet(), reload::toString);
        Map<String, Map<?, ?>> byProgram = new java.util.HashMap<>();
        for (Object entry : (List<?>) last.get("summary")) {
            Map<?, ?> program = (Map<?, ?>) entry;
            assertTrue(program.keySet().containsAll(List.of("program", "generation", "outcome", "ok", "message",
                    "duration_ms", "failed_worker", "last_lines")), () -> "a summary entry with every key: " + program);
            assertInstanceOf(Number.class, program.get("duration_ms"), program::toString);
            assertInstanceOf(List.class, program.get("last_lines"), program::toString);
            byProgram.put((String) program.get("program"), program);
        }
        return byProgram;
    }

    /** {@code program}'s summary entry says {@code outcome}, ok, and (unless null) {@code generation}. */
    private static void assertOutcome(Map<String, Map<?, ?>> summary, String program, String outcome,
                                      Integer generation) {
        Map<?, ?> entry = summary.get(program);
        assertTrue(entry != null, () -> "a summary entry for " + program + ": " + summary);
        assertAll(entry.toString(),
                () -> assertEquals(outcome, entry.get("outcome")),
                () -> assertEquals(true, entry.get("ok")),
                () -> assertTrue(generation == null || generation.longValue() == ((Number) entry.get("generation"))
                        .longValue()));
    }

    /** True when a line of the daemon's log has the message {@code regex} (after its time and level). */
    private boolean logHas(String regex) {
        return daemon.stderr().lines().anyMatch(l -> l.matches("\\S+ [A-Z]+ " + regex));
    }

    private static void assertUnchanged(Status before, Status after, String... names) {
        for (String name : names) {
            assertAll(name,
                    () -> assertTrue(after.worker(name).running(), after::toString),
                    () -> assertEquals(before.worker(name).pid(), after.worker(name).pid(), "same process"),
                    () -> assertEquals(before.worker(name).generation(), after.worker(name).generation()));
        }
    }
}
