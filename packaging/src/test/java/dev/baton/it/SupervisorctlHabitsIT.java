package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a supervisorctl user types, against a real daemon and real Python workers: a group as a target
 * ({@code app}, {@code app:celery}, {@code app:web:1}), {@code pid}, {@code tail}, and {@code reread},
 * {@code avail} and {@code update} after the file changed.
 */
class SupervisorctlHabitsIT {

    private static final String PROGRAMS = """
            [group.app]
            programs = ["web", "celery"]

            [program.web]
            command = "python3 worker.py"
            numprocs = 2
            startsecs = 0

            [program.celery]
            command = "python3 worker.py"
            startsecs = 0

            [program.cron]
            command = "python3 worker.py"
            startsecs = 0
            """;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private Status before;

    @BeforeEach
    void threeProgramsTwoOfThemInAGroup() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig(PROGRAMS);
        sandbox.startDaemon();
        before = sandbox.awaitStatus("web, celery and cron RUNNING",
                s -> s.running("web", 2) && s.running("celery", 1) && s.running("cron", 1));
    }

    @Test
    void aGroupIsATargetForRestartStatusStopAndSignal() {
        Cli.Result restart = sandbox.baton("restart", "app");
        Status after = sandbox.status();

        assertEquals(0, restart.exit(), restart::toString);
        assertEquals(List.of("celery:0: started", "web:0: started", "web:1: started"),
                restart.outLines().stream().sorted().toList(), restart::toString);
        for (String name : List.of("web:0", "web:1", "celery:0")) {
            assertNotEquals(before.worker(name).pid(), after.worker(name).pid(), name + " restarted");
        }
        assertEquals(before.worker("cron:0").pid(), after.worker("cron:0").pid(), "cron is not in the group");

        Cli.Result status = sandbox.baton("status", "app");
        assertEquals(0, status.exit(), status::toString);
        assertTrue(status.out().contains("celery:0") && status.out().contains("web:1")
                && !status.out().contains("cron:0"), status::toString);

        Cli.Result stop = sandbox.baton("stop", "app:celery");
        assertEquals("celery:0: stopped\n", stop.out(), stop::toString);
        assertEquals("STOPPED", sandbox.status().worker("celery:0").state());

        Cli.Result signal = sandbox.baton("signal", "USR1", "app:web:1");
        assertEquals("web:1: sent SIGUSR1\n", signal.out(), signal::toString);
        sandbox.await("web:1's \"got SIGUSR1\" line", () -> sandbox.baton("logs", "-n", "50", "web:1").out(),
                out -> Sandbox.hasLogLine(out, "web:1", "got SIGUSR1"));

        Cli.Result unknown = sandbox.baton("restart", "app:cron");
        assertEquals(2, unknown.exit(), unknown::toString);
        assertEquals("baton: no such program, group or worker: app:cron\n", unknown.err(), unknown::toString);
    }

    @Test
    void pidPrintsTheDaemonsOrEachWorkersWithZeroForAStoppedOne() {
        sandbox.baton("stop", "celery");
        Status now = sandbox.status();

        Cli.Result daemon = sandbox.baton("pid");
        Cli.Result group = sandbox.baton("pid", "app");
        Cli.Result all = sandbox.baton("pid", "all");

        assertAll(
                () -> assertEquals(0, daemon.exit(), daemon::toString),
                () -> assertEquals(List.of(String.valueOf(now.daemonPid())), daemon.outLines()),
                () -> assertEquals(Set.of(String.valueOf(now.worker("web:0").pid()),
                        String.valueOf(now.worker("web:1").pid()), "0"), Set.copyOf(group.outLines()), group::toString),
                () -> assertEquals(3, group.outLines().size(), group::toString),
                () -> assertEquals(now.workers().stream().map(w -> String.valueOf(w.pid())).collect(Collectors.toSet()),
                        Set.copyOf(all.outLines()), all::toString),
                () -> assertEquals(4, all.outLines().size(), all::toString));
    }

    @Test
    void tailIsLogsUnderSupervisorctlsName() {
        Cli.Result tail = sandbox.baton("tail", "-n", "50", "--color=never", "cron");

        assertEquals(0, tail.exit(), tail::toString);
        assertTrue(tail.out().startsWith("cron:0 | worker 0 pid "), tail::toString);
        assertFalse(tail.out().contains("web:0"), tail::toString);
    }

    @Test
    void rereadAndAvailReportTheEditedFileAndUpdateAppliesOnlyThat() {
        sandbox.writeConfig(PROGRAMS.replace("numprocs = 2", "numprocs = 3")
                .replace("""
                        [program.cron]
                        command = "python3 worker.py"
                        startsecs = 0
                        """, """
                        [program.extra]
                        command = "python3 worker.py"
                        startsecs = 0
                        autostart = false
                        priority = 5
                        """));

        Cli.Result reread = sandbox.baton("reread");
        Cli.Result avail = sandbox.baton("avail");
        Status untouched = sandbox.status();

        assertEquals(0, reread.exit(), reread::toString);
        assertEquals(Set.of("web: changed (numprocs)", "extra: added", "cron: removed"), Set.copyOf(reread.outLines()),
                reread::toString);
        assertEquals(0, avail.exit(), avail::toString);
        assertEquals(List.of("NAME", "GROUP", "STATE", "AUTOSTART", "PRIORITY", "NUMPROCS"),
                words(avail.outLines().get(0)));
        assertTrue(avail.outLines().stream().map(SupervisorctlHabitsIT::words).toList().containsAll(List.of(
                List.of("web", "app", "changed", "auto", "999", "3"),
                List.of("celery", "app", "in", "use", "auto", "999", "1"),
                List.of("extra", "-", "avail", "manual", "5", "1"),
                List.of("cron", "-", "removed", "auto", "999", "1"))), avail::toString);
        assertEquals(before.pids("web"), untouched.pids("web"), "reread and avail apply nothing");
        assertEquals(before.pids("cron"), untouched.pids("cron"));

        Cli.Result update = sandbox.baton("update");
        Status after = sandbox.awaitStatus("web scaled to 3, cron gone",
                s -> s.running("web", 3) && s.program("cron").isEmpty());

        assertEquals(0, update.exit(), update::toString);
        assertEquals(before.worker("celery:0").pid(), after.worker("celery:0").pid(), "celery was not reloaded");
        assertEquals(List.of("STOPPED"), after.program("extra").stream().map(Status.Worker::state).toList(),
                "extra added, not autostarted");
        Cli.Result again = sandbox.baton("update");
        assertEquals("no changes\n", again.out(), again::toString);
        assertEquals("no changes\n", sandbox.baton("reread").out());
    }

    @Test
    void rereadOfAnInvalidFilePrintsItsErrorsAndExitsTwo() {
        sandbox.writeConfig(PROGRAMS.replace("numprocs = 2", "numprocs = 0"));

        Cli.Result reread = sandbox.baton("reread");

        assertEquals(2, reread.exit(), reread::toString);
        assertTrue(reread.err().startsWith("baton: cannot read the configuration: 1 error\n"), reread::toString);
        assertTrue(reread.err().contains("program.web.numprocs"), reread::toString);
    }

    @Test
    void reloadOfAGroupReloadsItsProgramsAndRefusesAWorker() {
        Cli.Result reload = sandbox.baton("reload", "app");
        Status after = sandbox.awaitStatus("web and celery in generation 2",
                s -> s.generations("web").equals(List.of(2)) && s.generations("celery").equals(List.of(2))
                        && s.running("web", 2) && s.running("celery", 1));

        assertEquals(0, reload.exit(), reload::toString);
        assertEquals(List.of(1), after.generations("cron"), "cron is not in the group");
        Cli.Result worker = sandbox.baton("reload", "web:1");
        assertEquals(2, worker.exit(), worker::toString);
        assertEquals("baton: web:1 is a worker: reload and update take programs and groups (reload web, or restart"
                + " web:1)\n", worker.err(), worker::toString);
    }

    private static List<String> words(String line) {
        return List.of(line.trim().split("\\s+"));
    }
}
