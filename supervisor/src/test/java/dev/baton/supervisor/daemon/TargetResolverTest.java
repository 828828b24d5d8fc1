package dev.baton.supervisor.daemon;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
import dev.baton.conf.GroupConfig;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.WorkerNaming;
import dev.baton.supervisor.Target;
import dev.baton.supervisor.control.TargetSelection;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * TARGETs as operators type them, resolved against running programs and groups built in code: web has workers
 * 8 and 9 named web_08 and web_09 (numprocs_start = 8, process_name = "{program}_{worker:02}"), celery one worker
 * with the default name, group app is both.
 */
class TargetResolverTest {

    static final Path FILE = Path.of("/srv/app/baton.toml");

    static final ProgramConfig WEB = named(program("web", 2), 8, "{program}_{worker:02}");
    static final ProgramConfig CELERY = program("celery", 1);
    static final BatonConfig CRON_FILE = file("cron", 1);
    static final ProgramConfig CRON = CRON_FILE.programs().get(0);
    static final GroupConfig APP = new GroupConfig("app", List.of("web", "celery"), 999);

    private final TargetResolver resolver = new TargetResolver(List.of(WEB, CELERY, CRON), List.of(APP));

    @Test
    void theCommonFormsSelectWhatTheySayWithWorkerNumbers() {
        assertEquals(List.of(Target.ALL), resolver.resolve("all"));
        assertEquals(List.of(Target.program("web")), resolver.resolve("web"));
        assertEquals(List.of(Target.program("web")), resolver.resolve("web:*"));
        assertEquals(List.of(Target.worker("web", 9)), resolver.resolve("web:9"));
        assertEquals(List.of(Target.worker("celery", 0)), resolver.resolve("celery:0"));
    }

    @Test
    void aGroupIsItsProgramsAndGroupColonNameOneOfThemOrAWorker() {
        List<Target> both = List.of(Target.program("web"), Target.program("celery"));
        assertEquals(both, resolver.resolve("app"));
        assertEquals(both, resolver.resolve("app:*"));
        assertEquals(List.of(Target.program("celery")), resolver.resolve("app:celery"));
        assertEquals(List.of(Target.worker("web", 8)), resolver.resolve("app:web_08"));
        assertEquals(List.of(Target.worker("celery", 0)), resolver.resolve("app:celery:0"));
        assertNothing("app:cron");
    }

    @Test
    void aWorkersNameAsProcessNameMakesItSelectsThatWorker() {
        assertEquals(List.of(Target.worker("web", 9)), resolver.resolve("web_09"));
        assertEquals(List.of(Target.worker("web", 9)), resolver.resolve("web:web_09"), "supervisorctl's GROUP:NAME");
        assertNothing("celery:web_09");
        assertNothing("web_10");
    }

    @Test
    void aWorkerNumberOutsideTheProgramSaysWhichItHas() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resolver.resolve("web:0"));
        assertEquals("no such worker: web:0 (web has workers 8-9)", e.getMessage());
    }

    @Test
    void programNamesWinOverWorkerNames() {
        ProgramConfig odd = named(program("odd", 1), 0, "cron");
        TargetResolver r = new TargetResolver(List.of(odd, CRON), List.of());
        assertEquals(List.of(Target.program("cron")), r.resolve("cron"));
        assertEquals(List.of(Target.worker("odd", 0)), r.resolve("odd:cron"));
    }

    @Test
    void aSelectionHoldsEachTargetOnceWithTheNamesOfItsWorkers() {
        TargetSelection s = resolver.resolve(List.of("web_08", "app", "web"));
        assertEquals(List.of(Target.worker("web", 8), Target.program("web"), Target.program("celery")), s.targets());
        assertEquals(List.of("web_08", "web_09", "celery:0"), s.names());
        assertEquals(new TargetSelection(List.of(Target.ALL), List.of()), resolver.resolve(List.of("web", "all")));
        assertEquals(TargetSelection.NONE, resolver.resolve(List.of()));
    }

    @Test
    void nothingSelectedIsOneLineNamingTheText() {
        assertNothing("nope");
        assertNothing("nope:*");
        assertNothing("web:web_99");
    }

    @Test
    void reloadTakesProgramsAndGroupsOfTheFileOrRunningButNoWorker() {
        BatonConfig file = new BatonConfig(FILE, CRON_FILE.daemon(), List.of(WEB, CELERY,
                program("fresh", 1)), List.of(new GroupConfig("app", List.of("web", "celery", "fresh"), 999)),
                List.of(FILE));
        assertEquals(List.of("web", "celery", "fresh", "cron"), resolver.programs(List.of("app", "cron:*"), file));
        assertEquals(List.of("fresh"), resolver.programs(List.of("app:fresh"), file));
        assertEquals(List.of("cron"), resolver.programs(List.of("cron"), file), "running, removed from the file");
        IllegalArgumentException worker = assertThrows(IllegalArgumentException.class,
                () -> resolver.programs(List.of("web_08"), file));
        assertEquals("web_08 is a worker: reload and update take programs and groups (reload web, or restart"
                + " web_08)", worker.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> resolver.programs(List.of("nope"), file));
        assertEquals("no such program or group: nope (known: web, celery, fresh, app)", unknown.getMessage());
    }

    private void assertNothing(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resolver.resolve(text));
        assertEquals("no such program, group or worker: " + text, e.getMessage());
    }

    static ProgramConfig program(String name, int numprocs) {
        return file(name, numprocs).programs().get(0);
    }

    private static BatonConfig file(String name, int numprocs) {
        try {
            return ConfigLoader.parse("[program." + name + "]\ncommand = \"python3 app.py\"\nnumprocs = " + numprocs
                    + "\n", FILE, Map.of());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** {@code p} with numprocs_start and process_name (until the file's keys are read, built here). */
    static ProgramConfig named(ProgramConfig p, int start, String processName) {
        return new ProgramConfig(p.name(), p.command(), p.directory(), p.environment(), p.numprocs(), p.autostart(),
                p.autorestart(), p.exitcodes(), p.startsecs(), p.startretries(), p.stopsignal(), p.stopwaitsecs(),
                p.stopasgroup(), p.killasgroup(), p.redirectStderr(), p.stdoutLogfileMaxbytes(),
                p.stdoutLogfileBackups(), p.stderrLogfileMaxbytes(), p.stderrLogfileBackups(), p.priority(), p.user(),
                p.reload(), p.proxy(), p.recycle(), new WorkerNaming(start, processName), p.umask(),
                p.stdoutLogfile(), p.stderrLogfile());
    }
}
