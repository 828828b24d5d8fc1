package dev.baton.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** [baton] environment, environment_file and the program's environment, read from real files. */
class EnvironmentTest {

    private static final Map<String, String> ENV = Map.of("HOME", "/home/app");

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private BatonConfig load(String toml) throws IOException, ConfigException {
        return ConfigLoader.load(write("baton.toml", toml), ENV);
    }

    private List<String> errors(String toml) throws IOException {
        Path file = write("baton.toml", toml);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, ENV));
        return e.errors().stream().map(ConfigError::toString).map(s -> s.replace(dir + "/", ""))
                .collect(Collectors.toList());
    }

    @Test
    void withoutAnyEnvironmentKeyTheEnvironmentIsEmpty() throws Exception {
        assertEquals(Map.of(), load("[program.web]\ncommand = \"./run\"\n").programs().get(0).environment());
    }

    @Test
    void batonEnvironmentIsUnderEnvFilesInOrderWhichAreUnderTheProgramsTable() throws Exception {
        write("common.env", "A=common\nB=common\nC=common\nD=common\n");
        write("env/web.env", "B=web\nC=web\n");
        ProgramConfig web = load("""
                [baton]
                environment = { A = "baton", B = "baton", C = "baton", D = "baton", E = "${HOME}/e" }
                [program.web]
                command = "./run"
                environment_file = ["common.env", "env/web.env"]
                environment = { C = "program" }
                [program.other]
                command = "./other"
                """).program("web").orElseThrow();
        assertEquals(Map.of("A", "common", "B", "web", "C", "program", "D", "common", "E", "/home/app/e"),
                web.environment());
    }

    @Test
    void batonEnvironmentReachesEveryProgram() throws Exception {
        BatonConfig config = load("""
                [baton.environment]
                TZ = "UTC"
                [program.web]
                command = "./run"
                [program.jobs]
                command = "./jobs"
                environment = { TZ = "Europe/Paris" }
                """);
        assertEquals(Map.of("TZ", "UTC"), config.program("web").orElseThrow().environment());
        assertEquals(Map.of("TZ", "Europe/Paris"), config.program("jobs").orElseThrow().environment());
    }

    @Test
    void envFileValuesAreNotExpandedButPlaceholdersReachTheWorker() throws Exception {
        write("app.env", "RAW=${HOME}\nNODE=node-{worker:02}\n");
        ProgramConfig web = load("[program.web]\ncommand = \"./run\"\nenvironment_file = \"app.env\"\n")
                .programs().get(0);
        assertEquals(Map.of("RAW", "${HOME}", "NODE", "node-{worker:02}"), web.environment());
    }

    @Test
    void anAbsolutePathAndAMissingOptionalFileAreFine() throws Exception {
        Path secrets = write("etc/secrets.env", "TOKEN=s3cr3t\n");
        ProgramConfig web = load("[program.web]\ncommand = \"./run\"\nenvironment_file = [\"-missing.env\", \""
                + secrets + "\", \"-etc/secrets.env\"]\n").programs().get(0);
        assertEquals(Map.of("TOKEN", "s3cr3t"), web.environment());
    }

    @Test
    void envFilesAreReadAgainAtEachLoad() throws Exception {
        Path env = write("app.env", "VERSION=1\n");
        Path file = write("baton.toml", "[program.web]\ncommand = \"./run\"\nenvironment_file = \"app.env\"\n");
        assertEquals("1", ConfigLoader.load(file, ENV).programs().get(0).environment().get("VERSION"));
        Files.writeString(env, "VERSION=2\n");
        assertEquals("2", ConfigLoader.load(file, ENV).programs().get(0).environment().get("VERSION"));
    }

    @Test
    void aMissingFileIsAnErrorAtItsKeyAndBadLinesNameTheEnvFileAndLine() throws Exception {
        write("app.env", "# settings\nGOOD=1\nexport BAD=2\nnot a line\n");
        assertEquals(List.of(
                "baton.toml:3:21: program.web.environment_file[0]: cannot read absent.env: no such file"
                        + " (a leading \"-\" makes it optional)",
                "baton.toml:3:35: program.web.environment_file[1]: must name a file",
                "baton.toml:3:40: program.web.environment_file[2]: expected a string, found an integer",
                "app.env:3: program.web.environment_file: \"export\" is not supported (as systemd): write BAD=...",
                "app.env:4: program.web.environment_file: expected KEY=VALUE, found \"not a line\""),
                errors("[program.web]\ncommand = \"./run\"\n"
                        + "environment_file = [\"absent.env\", \"-\", 3, \"app.env\"]\n"));
        assertEquals(List.of("baton.toml:3:20: program.web.environment_file: expected a path or an array of"
                + " paths, found a table"), errors("[program.web]\ncommand = \"./run\"\nenvironment_file = {}\n"));
        Files.createDirectories(dir.resolve("adir"));
        assertEquals(List.of("baton.toml:3:20: program.web.environment_file: cannot read adir: is a directory"),
                errors("[program.web]\ncommand = \"./run\"\nenvironment_file = \"adir\"\n"));
    }

    @Test
    void batonEnvironmentIsCheckedLikeAPrograms() throws Exception {
        assertEquals(List.of(
                "baton.toml:2:24: baton.environment.PORT: expected a string, found an integer",
                "baton.toml:2:33: baton.environment.KEY: environment variable SECRET is not set",
                "baton.toml:2:50: baton.environment.W: invalid format spec in \"{worker:x}\": use a width such as"
                        + " {worker:02} (zero-padded) or {worker:3}"),
                errors("[baton]\nenvironment = { PORT = 1, KEY = \"${SECRET}\", W = \"{worker:x}\" }\n"));
    }
}
