package dev.baton.supervisor.daemon;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigLoader;
import dev.baton.conf.GroupConfig;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.ReloadStrategy;
import dev.baton.supervisor.control.ConfigReply;
import dev.baton.supervisor.control.ConfigReply.GroupState;
import dev.baton.supervisor.control.ConfigReply.ProgramState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file compared with what runs, program by program and group by group, with the keys that differ. */
class ConfigDiffTest {

    private static final String RUNNING = """
            [program.web]
            command = "python3 app.py --port {port}"
            numprocs = 2
            listen = "127.0.0.1:8080"

            [program.cron]
            command = "python3 cron.py"

            [program.old]
            command = "python3 old.py"
            """;

    @Test
    void eachProgramIsInUseChangedWithItsKeysAddedOrRemoved() throws Exception {
        BatonConfig running = parse(RUNNING);
        BatonConfig file = withGroups(parse("""
                [program.web]
                command = "python3 app.py --port {port} --fast"
                numprocs = 3
                listen = ["127.0.0.1:8080", "127.0.0.1:8081"]
                max_requests = 100

                [program.cron]
                command = "python3 cron.py"

                [program.celery]
                command = "celery worker"
                autostart = false
                priority = 5
                """), List.of(new GroupConfig("app", List.of("web", "celery"), 999)));
        ConfigReply reply = ConfigDiff.compare(file, running.programs(),
                List.of(new GroupConfig("app", List.of("web"), 999), new GroupConfig("gone", List.of("old"), 10)));
        assertEquals(List.of(
                new ProgramState("celery", Optional.of("app"), ConfigReply.ADDED, List.of(), false, 5, 1),
                new ProgramState("cron", Optional.empty(), ConfigReply.IN_USE, List.of(), true, 999, 1),
                new ProgramState("web", Optional.of("app"), ConfigReply.CHANGED,
                        List.of("command", "numprocs", "listen", "max_requests"), true, 999, 3),
                new ProgramState("old", Optional.of("gone"), ConfigReply.REMOVED, List.of(), true, 999, 1)),
                reply.programs());
        assertEquals(List.of(
                new GroupState("app", ConfigReply.CHANGED, List.of("programs"), List.of("web", "celery"), 999),
                new GroupState("gone", ConfigReply.REMOVED, List.of(), List.of("old"), 10)), reply.groups());
        assertFalse(reply.unchanged());
    }

    @Test
    void theFileThatRunsHasNoChanges() throws Exception {
        BatonConfig running = parse(RUNNING);
        ConfigReply reply = ConfigDiff.compare(parse(RUNNING), running.programs(), List.of());
        assertTrue(reply.unchanged(), reply::toString);
        assertEquals(List.of("cron", "old", "web"), reply.programs().stream().map(ProgramState::name).toList());
    }

    @Test
    void aProgramLastReloadedAsACanaryRunsTheFileAsItIs() throws Exception {
        BatonConfig file = parse(RUNNING);
        List<ProgramConfig> running = file.programs().stream()
                .map(p -> p.name().equals("web") ? p.withReloadStrategy(ReloadStrategy.CANARY) : p).toList();
        assertTrue(ConfigDiff.compare(file, running, List.of()).unchanged());
    }

    @Test
    void workerNamingAndAProxyThatComesOrGoesAreNamedByTheirKeys() throws Exception {
        ProgramConfig web = parse(RUNNING).program("web").orElseThrow();
        ProgramConfig renamed = TargetResolverTest.named(web, 8, "{program}_{worker:02}");
        assertEquals(List.of("numprocs_start", "process_name"), ConfigDiff.changes(web, renamed));
        ProgramConfig cron = parse(RUNNING).program("cron").orElseThrow();
        ProgramConfig proxied = parse("""
                [program.cron]
                command = "python3 cron.py --port {port}"
                listen = "127.0.0.1:9000"
                """).programs().get(0);
        assertEquals(List.of("command", "listen"), ConfigDiff.changes(cron, proxied));
    }

    private static BatonConfig parse(String toml) throws Exception {
        return ConfigLoader.parse(toml, TargetResolverTest.FILE, Map.of());
    }

    private static BatonConfig withGroups(BatonConfig c, List<GroupConfig> groups) {
        return new BatonConfig(c.file(), c.daemon(), c.programs(), groups, c.files());
    }
}
