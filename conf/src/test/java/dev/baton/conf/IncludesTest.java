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

/** [baton] include: which files are read, in which order, and how their mistakes are reported. */
class IncludesTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private BatonConfig load(String main) throws IOException, ConfigException {
        return ConfigLoader.load(write("baton.toml", main), Map.of());
    }

    /** The errors, with the temp folder left out of absolute paths. */
    private List<String> errors(String main) throws IOException {
        Path file = write("baton.toml", main);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        return e.errors().stream().map(ConfigError::toString).map(s -> s.replace(dir + "/", ""))
                .collect(Collectors.toList());
    }

    private static List<String> names(BatonConfig config) {
        return config.programs().stream().map(ProgramConfig::name).collect(Collectors.toList());
    }

    @Test
    void globsAreMatchedInSortedOrderAndEveryFileIsListed() throws Exception {
        write("conf.d/b.toml", "[program.b]\ncommand = \"./b\"\npriority = 1\n");
        write("conf.d/a.toml", "[program.a]\ncommand = \"./a\"\npriority = 2\n");
        write("conf.d/notes.txt", "not toml at all [[[\n");
        write("conf.d/sub/deeper.toml", "[program.deep]\ncommand = \"./deep\"\n");
        write("extra/jobs.toml", "[program.jobs]\ncommand = \"./jobs\"\n[group.work]\nprograms = [\"jobs\", \"web\"]\n");
        BatonConfig config = load("""
                [baton]
                include = ["conf.d/*.toml", "extra/jobs.toml", "conf.d/a.toml", "*.toml", "nothing/*.toml"]
                [program.web]
                command = "./web"
                """);
        assertEquals(List.of(dir.resolve("baton.toml"), dir.resolve("conf.d/a.toml"), dir.resolve("conf.d/b.toml"),
                dir.resolve("extra/jobs.toml")), config.files());
        assertEquals(List.of("b", "a", "jobs", "web"), names(config));
        assertEquals(List.of("jobs", "web"), config.group("work").orElseThrow().programs());
    }

    @Test
    void aSingleStringAndAnAbsoluteGlobAreAccepted() throws Exception {
        write("elsewhere/web.toml", "[program.web]\ncommand = \"./web\"\n");
        assertEquals(List.of("web"), names(load("[baton]\ninclude = \"" + dir.resolve("elsewhere") + "/*.toml\"\n")));
        assertEquals(List.of("web"), names(load("[baton]\ninclude = \"elsewhere/web.toml\"\n")));
        assertEquals(List.of(), names(load("[baton]\ninclude = []\n")));
    }

    @Test
    void relativePathsInAnIncludedFileResolveAgainstItsFolder() throws Exception {
        write("apps/web/web.env", "FROM_FILE=1\n");
        write("apps/web/web.toml", """
                [program.web]
                command = "./web {socket}"
                directory = "src"
                stdout_logfile = "logs/{program}.log"
                environment_file = "web.env"
                listen = "unix:web.sock"
                """);
        ProgramConfig web = load("[baton]\ninclude = [\"apps/*/*.toml\"]\n").programs().get(0);
        Path folder = dir.resolve("apps/web");
        assertEquals(folder.resolve("src"), web.directory());
        assertEquals(LogDestination.file(folder.resolve("logs/{program}.log").toString()), web.stdoutLogfile());
        assertEquals(Map.of("FROM_FILE", "1"), web.environment());
        assertEquals(List.of(ListenAddress.unix(folder.resolve("web.sock"))), web.proxy().orElseThrow().listen());
    }

    @Test
    void errorsInIncludedFilesNameThatFileAndLineAfterTheMainFilesErrors() throws Exception {
        write("conf.d/a.toml", "[program.a]\ncommand = \"./a\"\nnumprocs = 0\n");
        write("conf.d/b.toml", "# b\n[program.b]\nautostrat = true\n");
        write("conf.d/c.toml", "[program.c]\ncommand = \"./c\"\nenvironment_file = \"c.env\"\n");
        write("conf.d/c.env", "BAD LINE\n");
        assertEquals(List.of(
                "baton.toml:5:12: program.web.numprocs: expected an integer, found a string",
                "conf.d/a.toml:3:12: program.a.numprocs: must be at least 1, found 0",
                "conf.d/b.toml:2:1: program.b: missing required key \"command\"",
                "conf.d/b.toml:3:1: program.b.autostrat: unknown key, did you mean \"autostart\"?",
                "conf.d/c.env:1: program.c.environment_file: expected KEY=VALUE, found \"BAD LINE\""),
                errors("""
                        [baton]
                        include = ["conf.d/*.toml"]
                        [program.web]
                        command = "./web"
                        numprocs = "2"
                        """));
    }

    @Test
    void aSyntaxErrorInAnIncludedFileIsReportedWithTheOtherFilesProblems() throws Exception {
        write("conf.d/a.toml", "[program.a]\ncommand = \n");
        write("conf.d/b.toml", "[program.b]\ncommand = \"./b\"\nnumprocs = -1\n");
        assertEquals(List.of(
                "conf.d/a.toml:2:11: Unexpected end of line, expected a value",
                "conf.d/b.toml:3:12: program.b.numprocs: must be at least 1, found -1"),
                errors("[baton]\ninclude = [\"conf.d/*.toml\"]\n[group.g]\nprograms = [\"a\"]\n"));
    }

    @Test
    void anIncludedFileHasOnlyProgramAndGroupTables() throws Exception {
        write("conf.d/a.toml", "[baton]\nsocket = \"x.sock\"\n[program.a]\ncommand = \"./a\"\n[proxy]\n");
        write("conf.d/b.toml", "[baton]\ninclude = [\"more/*.toml\"]\n");
        assertEquals(List.of(
                "conf.d/a.toml:1:1: baton: only the main file may have [baton]",
                "conf.d/a.toml:5:1: proxy: unknown key",
                "conf.d/b.toml:1:1: baton: only the main file may have [baton]: includes do not nest, list every"
                        + " file in the main file's include"),
                errors("[baton]\ninclude = [\"conf.d/*.toml\"]\n"));
    }

    @Test
    void aMissingPlainPathIsAnErrorAtItsElement() throws Exception {
        assertEquals(List.of(
                "baton.toml:2:24: baton.include[1]: cannot read missing.toml: no such file (a glob such as"
                        + " conf.d/*.toml may match nothing)",
                "baton.toml:2:40: baton.include[2]: expected a path or glob, found an integer",
                "baton.toml:2:43: baton.include[3]: must not be empty"),
                errors("[baton]\ninclude = [\"a/*.toml\", \"missing.toml\", 7, \"\"]\n"));
        assertEquals(List.of("baton.toml:2:11: baton.include: expected an array of paths or globs, found a table"),
                errors("[baton]\ninclude = {}\n"));
    }

    @Test
    void aProgramOrGroupDefinedInTwoFilesNamesBoth() throws Exception {
        write("conf.d/web.toml", "\n[program.web]\ncommand = \"./web2\"\n[group.g]\nprograms = [\"web\"]\n");
        assertEquals(List.of(
                "conf.d/web.toml:2:1: program.web: program \"web\" is already defined at baton.toml:3",
                "conf.d/web.toml:4:1: group.g: group \"g\" is already defined at baton.toml:5"),
                errors("""
                        [baton]
                        include = ["conf.d/*.toml"]
                        [program.web]
                        command = "./web"
                        [group.g]
                        programs = ["web"]
                        """));
    }

    @Test
    void listenAddressesMustNotClashAcrossFiles() throws Exception {
        write("conf.d/api.toml", "[program.api]\ncommand = \"./api {port}\"\nlisten = \"127.0.0.1:8000\"\n");
        assertEquals(List.of("conf.d/api.toml:3:10: program.api.listen: \"127.0.0.1:8000\" is already used by"
                + " program.web.listen"),
                errors("""
                        [baton]
                        include = ["conf.d/*.toml"]
                        [program.web]
                        command = "./web {port}"
                        listen = "127.0.0.1:8000"
                        """));
    }
}
