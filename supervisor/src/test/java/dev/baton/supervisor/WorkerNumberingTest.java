package dev.baton.supervisor;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
import dev.baton.conf.LogDestination;
import dev.baton.conf.WorkerNaming;
import dev.baton.supervisor.log.LogFiles;
import dev.baton.supervisor.log.LogHub;
import dev.baton.supervisor.log.LogLine;
import dev.baton.supervisor.process.ExitStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * numprocs_start, process_name and the log destinations at run time, on the virtual clock: the worker's number is
 * its identity everywhere, its name what status and logs show.
 */
class WorkerNumberingTest {

    @TempDir
    Path dir;

    private final ManualLoop loop = new ManualLoop();
    private final FakeLauncher launcher = new FakeLauncher();
    private final LogHub hub = LogHub.withDefaults();
    private final List<WorkerChange> changes = new ArrayList<>();
    private LogFiles logFiles;
    private Supervisor supervisor;

    @BeforeEach
    void setUp() {
        logFiles = new LogFiles(dir.resolve("logs"));
        WorkerContext ctx = new WorkerContext(launcher, loop, logFiles, hub, false, dir.resolve("workers"),
                Map.of("PATH", "/usr/bin:/bin"), changes::add);
        supervisor = new Supervisor(ctx);
    }

    @AfterEach
    void tearDown() {
        logFiles.close();
    }

    /** Program web (no proxy, startsecs 1) running {@code version}, its workers named web_08... from 8. */
    private BatonConfig web(String version, int numprocs, int start, LogDestination out, LogDestination err)
            throws Exception {
        BatonConfig parsed = ConfigLoader.parse("[program.web]\ncommand = \"app " + version
                + " --n {worker:02} --p {program}\"\nnumprocs = " + numprocs + "\n"
                + "environment = { ID = \"{program}-{worker:03}\" }\n", dir.resolve("baton.toml"), Map.of());
        return Naming.with(parsed, new WorkerNaming(start, "web_{worker:02}"), out, err);
    }

    private BatonConfig web(String version, int numprocs, int start) throws Exception {
        return web(version, numprocs, start, LogDestination.AUTO, LogDestination.AUTO);
    }

    private <T> T settle(CompletableFuture<T> future) {
        loop.advance(0);
        return future.getNow(null);
    }

    private List<String> status() {
        return settle(supervisor.status()).stream()
                .map(w -> w.name() + "=" + w.program() + ":" + w.index() + "@" + w.generation() + "=" + w.state())
                .toList();
    }

    private List<ReloadResult> reload(BatonConfig config) {
        return settle(supervisor.reload(config, List.of(), e -> { }));
    }

    private void stoppedChildrenExit() {
        for (FakeLauncher.FakeChild c : new ArrayList<>(launcher.started)) {
            if (!c.signals.isEmpty() && !c.signals.contains("exited")) {
                c.signals.add("exited");
                c.exit(ExitStatus.exited(0));
            }
        }
        loop.advance(0);
    }

    @Test
    void workersAreNumberedFromNumprocsStartInTheirCommandEnvironmentAndStatus() throws Exception {
        supervisor.boot(web("v1", 2, 8));
        loop.advance(1_000);

        assertEquals(List.of("web_08=web:8@1=RUNNING", "web_09=web:9@1=RUNNING"), status());
        FakeLauncher.FakeChild second = launcher.started.get(1);
        assertEquals(List.of("app", "v1", "--n", "09", "--p", "web"), second.spec.command());
        assertEquals("9", second.spec.environment().get("BATON_WORKER"));
        assertEquals("web-009", second.spec.environment().get("ID"));
        assertEquals("web_09", second.spec.label());
    }

    @Test
    void theKeysReadFromTomlReachTheWorkers() throws Exception {
        Files.createDirectories(dir.resolve("out"));
        supervisor.boot(ConfigLoader.parse("""
                [program.web]
                command = "app --n {worker:02}"
                numprocs = 2
                numprocs_start = 8
                process_name = "web_{worker:02}"
                stdout_logfile = "out/{process_name}.log"
                stderr_logfile = "NONE"
                umask = "027"
                """, dir.resolve("baton.toml"), Map.of()));
        loop.advance(1_000);
        launcher.last().printOut("hello\n");
        launcher.last().print("oops\n");

        assertEquals(List.of("web_08=web:8@1=RUNNING", "web_09=web:9@1=RUNNING"), status());
        assertEquals(List.of("app", "--n", "09"), launcher.last().spec.command());
        assertEquals(java.util.OptionalInt.of(027), launcher.last().spec.umask());
        assertEquals("hello\n", Files.readString(dir.resolve("out/web_09.log")));
        assertTrue(Files.exists(dir.resolve("out/web_08.log")), "opened at the start, before any line");
        assertFalse(Files.exists(dir.resolve("logs")), "stderr went to no file");
    }

    @Test
    void targetsNameWorkersByTheirNumber() throws Exception {
        supervisor.boot(web("v1", 2, 8));
        loop.advance(1_000);

        CompletableFuture<List<Supervisor.Result>> restart = supervisor.restart(List.of("web:9"));
        loop.advance(0);
        stoppedChildrenExit();
        loop.advance(1_000);
        assertEquals("web_09", restart.getNow(null).get(0).worker());
        assertEquals(List.of(), launcher.started.get(0).signals, "web:8 is not restarted");
        assertEquals(3, launcher.started.size());

        CompletableFuture<List<Supervisor.Result>> stop = supervisor.stop(List.of("web:1"));
        loop.advance(0);
        ExecutionException e = assertThrows(ExecutionException.class, stop::get);
        assertEquals("no such worker: web:1 (web has workers 8-9)", e.getCause().getMessage());
    }

    @Test
    void scalingKeepsTheNumberingFromNumprocsStart() throws Exception {
        supervisor.boot(web("v1", 2, 8));
        loop.advance(1_000);

        assertEquals(ReloadResult.Outcome.SCALED, reload(web("v1", 3, 8)).get(0).outcome());
        loop.advance(1_000);
        assertEquals(List.of("web_08=web:8@1=RUNNING", "web_09=web:9@1=RUNNING", "web_10=web:10@1=RUNNING"),
                status());
        assertEquals("10", launcher.last().spec.environment().get("BATON_WORKER"));

        assertEquals(ReloadResult.Outcome.SCALED, reload(web("v1", 1, 8)).get(0).outcome());
        stoppedChildrenExit();
        assertEquals(List.of("web_08=web:8@1=RUNNING"), status());
        assertEquals(List.of(), launcher.started.get(0).signals, "web:8 stays");
    }

    @Test
    void aReloadThatChangesNumprocsStartRollsANewGeneration() throws Exception {
        supervisor.boot(web("v1", 2, 8));
        loop.advance(1_000);

        CompletableFuture<List<ReloadResult>> result = supervisor.reload(web("v1", 2, 20), List.of(), e -> { });
        loop.advance(1_000);
        stoppedChildrenExit();

        assertEquals(ReloadResult.Outcome.RELOADED, result.getNow(null).get(0).outcome());
        assertEquals(List.of("web_20=web:20@2=RUNNING", "web_21=web:21@2=RUNNING"), status());
        assertEquals("21", launcher.last().spec.environment().get("BATON_WORKER"));
    }

    @Test
    void logLinesComeFromTheNumberAndShowTheName() throws Exception {
        supervisor.boot(web("v1", 1, 8));
        loop.advance(1_000);

        launcher.last().printOut("hello\n");
        launcher.last().print("oops\n");

        List<LogLine> lines = hub.tail(10, source -> true);
        assertEquals(List.of("web:8 web_08 hello", "web:8 web_08 oops"),
                lines.stream().map(l -> l.source() + " " + l.name() + " " + l.text()).toList());
        assertEquals("hello\n", Files.readString(dir.resolve("logs/web-8.out.log")));
        assertEquals("oops\n", Files.readString(dir.resolve("logs/web-8.err.log")));
    }

    @Test
    void exitEventsNameTheWorkerByItsNumber() throws Exception {
        supervisor.boot(web("v1", 1, 8));
        loop.advance(1_000);
        launcher.last().exit(ExitStatus.exited(3));
        loop.advance(0);

        WorkerChange exited = changes.get(changes.size() - 1);
        assertEquals(WorkerState.EXITED, exited.to());
        assertEquals("web:8", dev.baton.supervisor.events.Event.of(exited, 0).orElseThrow().worker());
        assertTrue(exited.line().startsWith("web_08 [gen 1] RUNNING -> EXITED"), exited.line());
    }

    @Test
    void aLogFileInAMissingFolderKeepsTheWorkerFromStartingWithTheReason() throws Exception {
        Path missing = dir.resolve("nowhere/{process_name}.log");
        supervisor.boot(web("v1", 1, 8, LogDestination.file(missing.toString()), LogDestination.NONE));
        loop.advance(0);

        assertEquals(0, launcher.started.size(), "no process without its log file");
        WorkerStatus w = settle(supervisor.status()).get(0);
        assertEquals(WorkerState.BACKOFF, w.state());
        assertTrue(w.reason().startsWith("cannot start: cannot open log file " + dir.resolve("nowhere/web_08.log")
                + ": no such folder; retrying in "), w.reason());

        Files.createDirectories(dir.resolve("nowhere"));
        loop.advance(2_000); // the first backoff: about a second
        assertEquals(1, launcher.started.size(), "it starts once the folder exists");
    }

    @Test
    void noneKeepsTheLinesInMemoryOnlyAndAFileTemplateIsSharedByWorkersThatExpandAlike() throws Exception {
        Path shared = dir.resolve("out/{program}.log");
        Files.createDirectories(dir.resolve("out"));
        supervisor.boot(web("v1", 2, 8, LogDestination.file(shared.toString()), LogDestination.NONE));
        loop.advance(1_000);

        launcher.started.get(0).printOut("from 8\n");
        launcher.started.get(1).printOut("from 9\n");
        launcher.started.get(1).print("an error\n");

        assertEquals("from 8\nfrom 9\n", Files.readString(dir.resolve("out/web.log")));
        assertFalse(Files.exists(dir.resolve("logs")), "NONE writes no file, AUTO is not used");
        assertEquals(List.of("from 8", "from 9", "an error"),
                hub.tail(10, source -> true).stream().map(LogLine::text).toList());
    }

    @Test
    void aReloadThatMovesTheLogsWritesTheNewGenerationToTheNewPath() throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        supervisor.boot(web("v1", 1, 8, LogDestination.file(dir.resolve("a/{process_name}.log").toString()),
                LogDestination.NONE));
        loop.advance(1_000);
        launcher.last().printOut("old\n");

        CompletableFuture<List<ReloadResult>> result = supervisor.reload(web("v2", 1, 8,
                LogDestination.file(dir.resolve("b/{process_name}.log").toString()), LogDestination.NONE), List.of(),
                e -> { });
        loop.advance(1_000);
        launcher.last().printOut("new\n");
        stoppedChildrenExit();

        assertEquals(ReloadResult.Outcome.RELOADED, result.getNow(null).get(0).outcome());
        assertEquals("old\n", Files.readString(dir.resolve("a/web_08.log")));
        assertEquals("new\n", Files.readString(dir.resolve("b/web_08.log")));
    }
}
