package dev.baton.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** [group.NAME]: members, priority, start order and every mistake. */
class GroupsTest {

    private static BatonConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, Path.of("/etc/baton/baton.toml"), Map.of());
    }

    private static List<String> errors(String toml) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(toml, Path.of("baton.toml"), Map.of()));
        return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
    }

    private static List<String> names(BatonConfig config) {
        return config.programs().stream().map(ProgramConfig::name).collect(Collectors.toList());
    }

    @Test
    void withoutGroupsProgramsStartByPriorityThenName() throws ConfigException {
        BatonConfig config = parse("""
                [program.b]
                command = "./b"
                [program.a]
                command = "./a"
                [program.first]
                command = "./first"
                priority = 1
                """);
        assertEquals(List.of("first", "a", "b"), names(config));
        assertEquals(List.of(), config.groups());
        assertEquals(Optional.empty(), config.groupOf("a"));
    }

    @Test
    void aGroupIsReadWithItsMembersAndDefaultPriority() throws ConfigException {
        BatonConfig config = parse("""
                [program.web]
                command = "./web"
                [program.celery]
                command = "./celery"
                [group.app]
                programs = ["web", "celery"]
                """);
        GroupConfig app = new GroupConfig("app", List.of("web", "celery"), 999);
        assertEquals(List.of(app), config.groups());
        assertEquals(Optional.of(app), config.group("app"));
        assertEquals(Optional.of(app), config.groupOf("celery"));
    }

    @Test
    void groupedProgramsStartAtTheGroupsPriorityThenTheirOwnThenByName() throws ConfigException {
        BatonConfig config = parse("""
                [program.web]
                command = "./web"
                priority = 1
                [program.celery]
                command = "./celery"
                priority = 0
                [program.beat]
                command = "./beat"
                priority = 0
                [program.db]
                command = "./db"
                priority = 50
                [program.cache]
                command = "./cache"
                priority = 200
                [group.app]
                programs = ["web", "celery", "beat"]
                priority = 100
                [group.z]
                programs = ["cache"]
                priority = 10
                """);
        assertEquals(List.of("cache", "db", "beat", "celery", "web"), names(config));
        assertEquals(List.of("app", "z"), config.groups().stream().map(GroupConfig::name).collect(Collectors.toList()));
    }

    @Test
    void membersMustExistBeListedOnceAndBelongToOneGroup() {
        assertEquals(List.of(
                "baton.toml:6:20: group.app.programs[1]: no program \"wbe\" in the configuration, did you mean"
                        + " \"web\"?",
                "baton.toml:6:27: group.app.programs[2]: \"web\" is listed twice",
                "baton.toml:6:34: group.app.programs[3]: expected a program name, found an integer",
                "baton.toml:8:13: group.other.programs[0]: \"web\" is already in group.app: a program belongs to one"
                        + " group at most"),
                errors("""
                        [program.web]
                        command = "./web"
                        [program.jobs]
                        command = "./jobs"
                        [group.app]
                        programs = ["web", "wbe", "web", 3]
                        [group.other]
                        programs = ["web", "jobs"]
                        """));
    }

    @Test
    void aGroupNeedsProgramsAndANameOfItsOwn() {
        assertEquals(List.of(
                "baton.toml:3:1: group.web: a program has this name too: a group needs a name of its own, as both"
                        + " are targets",
                "baton.toml:4:12: group.web.programs: must list at least one program",
                "baton.toml:5:1: group.none: missing required key \"programs\"",
                "baton.toml:7:12: group.str.programs: expected an array of program names, found a string",
                "baton.toml:8:12: group.str.priority: expected an integer, found a string",
                "baton.toml:9:1: group.\"a b\": invalid group name, use only letters, digits, \"_\", \"-\" and \".\"",
                "baton.toml:11:1: group.\"a b\".prio: unknown key, did you mean \"priority\"?"),
                errors("""
                        [program.web]
                        command = "./web"
                        [group.web]
                        programs = []
                        [group.none]
                        [group.str]
                        programs = "web"
                        priority = "1"
                        [group."a b"]
                        programs = ["web"]
                        prio = 1
                        """));
        assertEquals(List.of("baton.toml:1:9: group: expected a table, found an integer"), errors("group = 1\n"));
    }
}
