package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.ConfigReply;
import dev.baton.supervisor.control.ConfigReply.GroupState;
import dev.baton.supervisor.control.ConfigReply.ProgramState;
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
 * The supervisorctl habits (avail, reread, update, pid, tail, groups and workers' names as targets) print the
 * daemon's records; a fake daemon answers on a real socket.
 */
class SupervisorctlCommandsTest {

    private static final String NL = System.lineSeparator();

    private static final ConfigReply CHANGES = new ConfigReply("/srv/app/baton.toml", List.of(
            new ProgramState("web", Optional.of("app"), ConfigReply.CHANGED, List.of("command", "numprocs"), true, 10,
                    3),
            new ProgramState("celery", Optional.of("app"), ConfigReply.ADDED, List.of(), false, 20, 1),
            new ProgramState("cron", Optional.empty(), ConfigReply.IN_USE, List.of(), true, 999, 1),
            new ProgramState("old", Optional.empty(), ConfigReply.REMOVED, List.of(), true, 999, 2)),
            List.of(new GroupState("app", ConfigReply.CHANGED, List.of("programs"), List.of("web", "celery"), 999)));

    @TempDir
    Path dir;

    private FakeDaemon daemon;

    @BeforeEach
    void setUp() throws Exception {
        daemon = new FakeDaemon(dir.resolve("baton.sock"));
        daemon.status = new StatusReply(new StatusReply.DaemonInfo(42, "dev", "baton.toml", "baton.sock", 1000),
                List.of(), List.of(StatusCommandTest.RUNNING, StatusCommandTest.HELD, StatusCommandTest.DOWN));
    }

    @AfterEach
    void tearDown() {
        daemon.close();
    }

    @Test
    void availListsEveryProgramOfTheFileWithSupervisorctlsWords() {
        daemon.config = CHANGES;
        FakeDaemon.Run run = daemon.baton("avail");
        assertEquals(0, run.exit(), run::toString);
        assertEquals(String.join(NL,
                "NAME    GROUP  STATE    AUTOSTART  PRIORITY  NUMPROCS",
                "web     app    changed  auto       10        3",
                "celery  app    avail    manual     20        1",
                "cron    -      in use   auto       999       1",
                "old     -      removed  auto       999       2") + NL, run.out());
        FakeDaemon.Run json = daemon.baton("avail", "--json");
        assertEquals(CHANGES, Json.read(json.out(), ConfigReply.class));
    }

    @Test
    void rereadSaysWhatDiffersPerProgramAndGroupOrNoChanges() {
        daemon.config = CHANGES;
        FakeDaemon.Run run = daemon.baton("reread");
        assertEquals(0, run.exit(), run::toString);
        assertEquals("web: changed (command, numprocs)" + NL + "celery: added" + NL + "old: removed" + NL
                + "group app: changed (programs)" + NL, run.out());
        daemon.config = new ConfigReply("baton.toml", List.of(CHANGES.programs().get(2)), List.of());
        assertEquals("no changes" + NL, daemon.baton("reread").out());
        assertEquals(List.of("config", "config"), daemon.requests, "reread asks and applies nothing");
    }

    @Test
    void rereadOfAnInvalidFilePrintsItsErrorsAndExitsTwo() {
        daemon.config = null;
        FakeDaemon.Run run = daemon.baton("reread");
        assertEquals(2, run.exit(), run::toString);
        assertEquals("baton: cannot read the configuration: 1 error" + NL
                + "baton.toml:3:1: program.web.numprocs: must be at least 1" + NL, run.err());
    }

    @Test
    void updatePrintsTheReloadsStepsOrNoChanges() {
        FakeDaemon.Run none = daemon.baton("update");
        assertEquals(0, none.exit(), none::toString);
        assertEquals("no changes" + NL, none.out());

        daemon.steps = List.of(new ReloadStep("celery", "", 1, "added", "celery: added"));
        daemon.summary = new ReloadSummary(List.of(new ProgramReload("celery", 1, "added", true, "celery: added", 0,
                "", List.of()), new ProgramReload("web", 2, "rolled_back", false, "web: rolled back to gen 1", 2000,
                "web:0", List.of())));
        FakeDaemon.Run some = daemon.baton("update", "--wait", "app");
        assertEquals(1, some.exit(), some::toString);
        assertEquals("celery: added" + NL, some.out());
        assertEquals("baton: web: rolled back to gen 1 in 2.0s" + NL, some.err());
        assertEquals(List.of("update []", "update [app] wait"), daemon.requests);
    }

    @Test
    void pidWithoutTargetIsTheDaemonsAndWithTargetsEachWorkersZeroWhenNotRunning() {
        FakeDaemon.Run own = daemon.baton("pid");
        assertEquals(0, own.exit(), own::toString);
        assertEquals("42" + NL, own.out());
        assertEquals("4242" + NL + "4343" + NL, daemon.baton("pid", "web").out());
        assertEquals("4242" + NL + "4343" + NL + "0" + NL, daemon.baton("pid", "all").out());
        assertEquals("4343" + NL, daemon.baton("pid", "web:1").out());
        FakeDaemon.Run unknown = daemon.baton("pid", "nope");
        assertEquals(2, unknown.exit(), unknown::toString);
        assertEquals("baton: no such program, group or worker: nope" + NL, unknown.err());
    }

    @Test
    void groupsAndWorkersNamesAreSentAsTypedForTheDaemonToResolve() {
        FakeDaemon.Run restart = daemon.baton("restart", "app", "web_08", "app:web_08");
        assertEquals(0, restart.exit(), restart::toString);
        assertEquals(List.of("restart [web, api, web:8]"), daemon.requests);
        assertEquals(List.of(List.of("app", "web_08", "app:web_08")), daemon.resolved);
        FakeDaemon.Run status = daemon.baton("status", "app");
        assertTrue(status.out().contains("web:0 ") && status.out().contains("web:1 ")
                && !status.out().contains("worker-long"), status.out());
    }

    @Test
    void tailIsLogsUnderSupervisorctlsNameAndHelpListsIt() {
        daemon.hub.publish("web:0", LogStream.STDOUT, "hello");
        daemon.hub.publish("api:0", LogStream.STDOUT, "other");
        FakeDaemon.Run tail = daemon.baton("tail", "--color=never", "web");
        assertEquals(0, tail.exit(), tail::toString);
        assertEquals("web:0 | hello" + NL, tail.out());
        FakeDaemon.Run help = daemon.baton("--help");
        assertTrue(help.out().contains("logs, tail"), help.out());
        for (String name : List.of("avail", "reread", "update", "pid")) {
            assertTrue(help.out().contains("  " + name + " "), help.out());
        }
        FakeDaemon.Run tailHelp = daemon.baton("tail", "--help");
        assertTrue(tailHelp.out().contains("supervisorctl's trailing stdout/stderr word is not a stream filter"),
                tailHelp.out());
    }
}
