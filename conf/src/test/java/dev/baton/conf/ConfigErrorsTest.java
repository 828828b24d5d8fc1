package dev.baton.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of configuration error, with the exact text a user sees. */
class ConfigErrorsTest {

    private static List<String> errors(String toml) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(toml, Path.of("baton.toml"), Map.of("HOME", "/home/app")));
        return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
    }

    private static String error(String toml) {
        List<String> errors = errors(toml);
        assertEquals(1, errors.size(), () -> "expected one error, got " + errors);
        return errors.get(0);
    }

    private static String program(String keys) {
        return "[program.web]\ncommand = \"./run\"\n" + keys + "\n";
    }

    @Test
    void numprocsGivenAsStringReportsLineColumnAndKeyPath() {
        assertEquals("baton.toml:3:12: program.web.numprocs: expected an integer, found a string",
                error(program("numprocs = \"2\"")));
    }

    @Test
    void errorFieldsCarryFileLineColumnKeyPathAndMessage() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(program("numprocs = 0"), Path.of("conf/baton.toml"), Map.of()));

        assertEquals(List.of(new ConfigError(Path.of("conf/baton.toml"), 3, 12, "program.web.numprocs",
                "must be at least 1, found 0")), e.errors());
        assertEquals("conf/baton.toml:3:12: program.web.numprocs: must be at least 1, found 0", e.getMessage());
    }

    @Test
    void shutdownDelayIsADurationOfAtMostTenMinutes() {
        assertEquals(List.of(
                "baton.toml:2:18: baton.shutdown_delay: must be at most 10m, found \"11m\""),
                errors("""
                        [baton]
                        shutdown_delay = "11m"
                        """));
        assertEquals(List.of(
                "baton.toml:2:18: baton.shutdown_delay: expected a duration such as \"5s\" or \"250ms\", found \"soon\""),
                errors("""
                        [baton]
                        shutdown_delay = "soon"
                        """));
    }

    @Test
    void badObservabilityKeysOfBatonAreReportedAtTheirValue() {
        assertEquals(List.of(
                "baton.toml:2:18: baton.metrics_listen: expected \"HOST:PORT\", \"[IPV6]:PORT\" or \"unix:PATH\", "
                        + "found \"nowhere\"",
                "baton.toml:3:17: baton.event_command: must not be empty",
                "baton.toml:4:18: baton.log_timestamps: expected a boolean, found a string"),
                errors("""
                        [baton]
                        metrics_listen = "nowhere"
                        event_command = ""
                        log_timestamps = "yes"
                        """));
        assertEquals("baton.toml:5:10: program.web.listen: \"127.0.0.1:9100\" is already used by baton.metrics_listen",
                error("""
                        [baton]
                        metrics_listen = "127.0.0.1:9100"
                        [program.web]
                        command = "./run"
                        listen = "127.0.0.1:9100"
                        """));
    }

    @Test
    void tomlSyntaxErrorsAreAllReportedWithLineAndColumn() {
        assertEquals(List.of(
                "baton.toml:2:10: Unexpected end of line, expected a value",
                "baton.toml:4:18: Unexpected end of line, expected \" or a character",
                "baton.toml:5:1: numprocs previously defined at line 3, column 1"),
                errors("""
                        [program.web]
                        command =
                        numprocs = 1
                        directory = "/srv
                        numprocs = 2
                        """));
    }

    @Test
    void typeErrorsNameExpectedAndFoundTypes() {
        assertEquals(List.of(
                "baton.toml:3:13: program.web.autostart: expected a boolean, found an integer",
                "baton.toml:4:13: program.web.directory: expected a string, found an array",
                "baton.toml:5:13: program.web.startsecs: expected an integer, found a float",
                "baton.toml:6:8: program.web.user: expected a string, found a boolean",
                "baton.toml:7:14: program.web.stopsignal: expected a string, found an integer",
                "baton.toml:8:15: program.web.environment: expected a table, found an array",
                "baton.toml:9:12: program.web.priority: expected an integer, found a date"),
                errors(program("""
                        autostart = 1
                        directory = ["/srv"]
                        startsecs = 1.5
                        user = true
                        stopsignal = 15
                        environment = ["A=1"]
                        priority = 2024-01-01""")));
    }

    @Test
    void environmentValuesMustBeStringsAndNameTheVariable() {
        assertEquals(List.of(
                "baton.toml:3:24: program.web.environment.PORT: expected a string, found an integer",
                "baton.toml:3:38: program.web.environment.DEBUG: expected a string, found a boolean"),
                errors(program("environment = { PORT = 8080, DEBUG = true }")));
    }

    @Test
    void rangeErrorsSayTheBoundAndTheValue() {
        assertEquals(List.of(
                "baton.toml:3:12: program.web.numprocs: must be at least 1, found 0",
                "baton.toml:4:13: program.web.startsecs: must be at least 0, found -1",
                "baton.toml:5:16: program.web.startretries: must be at least 0, found -3",
                "baton.toml:6:16: program.web.stopwaitsecs: must be at least 0, found -10",
                "baton.toml:7:27: program.web.stdout_logfile_maxbytes: must be at least 0, found -1",
                "baton.toml:8:26: program.web.stderr_logfile_backups: must be at least 0, found -2",
                "baton.toml:9:12: program.web.priority: must be at most 2147483647, found 2147483648"),
                errors(program("""
                        numprocs = 0
                        startsecs = -1
                        startretries = -3
                        stopwaitsecs = -10
                        stdout_logfile_maxbytes = -1
                        stderr_logfile_backups = -2
                        priority = 2147483648""")));
    }

    @Test
    void exitcodesOutOfRangeOrNotIntegersPointAtTheElement() {
        assertEquals(List.of(
                "baton.toml:3:17: program.web.exitcodes[1]: must be at most 255, found 256",
                "baton.toml:3:22: program.web.exitcodes[2]: expected an integer, found a string",
                "baton.toml:6:13: program.api.exitcodes: must be at least 0, found -1",
                "baton.toml:9:1: program.worker.exitcodes: expected an array of integers, found a table"),
                errors("""
                        [program.web]
                        command = "./run"
                        exitcodes = [0, 256, "1"]
                        [program.api]
                        command = "./api"
                        exitcodes = -1
                        [program.worker]
                        command = "./work"
                        [program.worker.exitcodes]
                        """));
    }

    @Test
    void unknownKeyWithACloseMatchSuggestsIt() {
        assertEquals("baton.toml:3:1: program.web.numproc: unknown key, did you mean \"numprocs\"?",
                error(program("numproc = 2")));
    }

    @Test
    void misspeltKeysGetHintsInEveryTable() {
        assertEquals(List.of(
                "baton.toml:1:1: programs: unknown key, did you mean \"program\"?",
                "baton.toml:3:1: baton.sockett: unknown key, did you mean \"socket\"?",
                "baton.toml:4:1: baton.logdir: unknown key, did you mean \"log_dir\"?",
                "baton.toml:7:1: program.web.Command: unknown key, did you mean \"command\"?",
                "baton.toml:8:3: program.web.stop_signal: unknown key, did you mean \"stopsignal\"?"),
                errors("""
                        [programs.web]
                        [baton]
                        sockett = "x"
                        logdir = "y"
                        [program.web]
                        command = "x"
                        Command = "y"
                          stop_signal = "TERM"
                        """));
    }

    @Test
    void unknownKeyWithoutAnyCloseMatchSaysSo() {
        assertEquals("baton.toml:3:1: program.web.frobnicate: unknown key", error(program("frobnicate = 1")));
    }

    @Test
    void missingCommandIsReportedAtTheTableHeader() {
        assertEquals("baton.toml:5:1: program.web: missing required key \"command\"",
                error("""
                        [baton]
                        socket = "b.sock"

                        # the web program
                        [program.web]
                        numprocs = 2
                        """));
    }

    @Test
    void emptyOrBlankCommandIsAnError() {
        assertEquals(List.of(
                "baton.toml:2:11: program.a.command: must not be empty",
                "baton.toml:4:11: program.b.command: must not be empty",
                "baton.toml:6:11: program.c.command: the program to run (first word) is empty"),
                errors("""
                        [program.a]
                        command = ""
                        [program.b]
                        command = "  \\t "
                        [program.c]
                        command = "'' --flag"
                        """));
    }

    @Test
    void unbalancedQuotesInCommandAreErrors() {
        assertEquals(List.of(
                "baton.toml:2:11: program.a.command: unbalanced double quote",
                "baton.toml:4:11: program.b.command: unbalanced single quote",
                "baton.toml:6:11: program.c.command: ends with a lone backslash"),
                errors("""
                        [program.a]
                        command = 'python3 -c "print(1)'
                        [program.b]
                        command = "echo 'it"
                        [program.c]
                        command = 'echo \\'
                        """));
    }

    @Test
    void badProgramNameIsReportedAtItsTable() {
        assertEquals("baton.toml:1:1: program.\"web app\": invalid program name, "
                + "use only letters, digits, \"_\", \"-\" and \".\"",
                error("[program.\"web app\"]\ncommand = \"x\"\n"));
    }

    @Test
    void programThatIsNotATableIsATypeError() {
        assertEquals(List.of(
                "baton.toml:1:9: baton: expected a table, found a string",
                "baton.toml:2:15: program.web: expected a table, found a string",
                "baton.toml:3:1: program.api: expected a table, found an array"),
                errors("""
                        baton = "x"
                        program.web = "./run"
                        [[program.api]]
                        command = "y"
                        """));
    }

    @Test
    void badSignalListsTheKnownOnes() {
        assertEquals("baton.toml:3:14: program.web.stopsignal: unknown signal \"TERMINATE\", "
                + "expected one of HUP, INT, QUIT, KILL, USR1, USR2, TERM, CONT, STOP, TSTP, WINCH",
                error(program("stopsignal = \"TERMINATE\"")));
    }

    @Test
    void badAutorestartSaysWhatIsAllowed() {
        assertEquals(List.of(
                "baton.toml:3:15: program.web.autorestart: must be true, false or \"unexpected\", found \"always\"",
                "baton.toml:6:15: program.api.autorestart: expected a boolean or \"unexpected\", found an integer"),
                errors(program("autorestart = \"always\"\n[program.api]\ncommand = \"a\"\nautorestart = 1")));
    }

    @Test
    void badSizeStringSaysWhatASizeLooksLike() {
        assertEquals(List.of(
                "baton.toml:3:27: program.web.stdout_logfile_maxbytes: invalid size \"50 MiB\", "
                        + "expected a number of bytes or a size such as \"512KB\", \"50MB\", \"1GB\"",
                "baton.toml:4:27: program.web.stderr_logfile_maxbytes: expected an integer or a size string, "
                        + "found a float"),
                errors(program("stdout_logfile_maxbytes = \"50 MiB\"\nstderr_logfile_maxbytes = 1.5")));
    }

    @Test
    void unsetEnvironmentVariableIsReportedForCommandAndEnvironment() {
        assertEquals(List.of(
                "baton.toml:2:11: program.web.command: environment variable FOO is not set",
                "baton.toml:3:21: program.web.environment.TOKEN: environment variable SECRET is not set"),
                errors("""
                        [program.web]
                        command = "run --foo ${FOO} --home ${HOME}"
                        environment.TOKEN = "${SECRET}"
                        """));
    }

    @Test
    void malformedVariableReferencesAreErrors() {
        assertEquals(List.of(
                "baton.toml:2:11: program.web.command: invalid variable name \"${1X}\"",
                "baton.toml:3:17: program.web.environment.A: unclosed \"${\""),
                errors("""
                        [program.web]
                        command = "run ${1X}"
                        environment.A = "${HOME"
                        """));
    }

    @Test
    void emptyStringsAreRejectedForPathsUserAndGroup() {
        assertEquals(List.of(
                "baton.toml:2:10: baton.socket: must not be empty",
                "baton.toml:3:16: baton.socket_group: must not be empty",
                "baton.toml:6:8: program.web.user: must not be empty",
                "baton.toml:7:13: program.web.directory: must not be empty"),
                errors("""
                        [baton]
                        socket = ""
                        socket_group = ""
                        [program.web]
                        command = "x"
                        user = ""
                        directory = ""
                        """));
    }

    @Test
    void severalErrorsAreReportedAtOnceInFileOrder() {
        assertEquals(List.of(
                "baton.toml:2:17: baton.log_to_stdout: expected a boolean, found a string",
                "baton.toml:4:1: program.web: missing required key \"command\"",
                "baton.toml:5:12: program.web.numprocs: expected an integer, found a string",
                "baton.toml:6:1: program.web.autostrat: unknown key, did you mean \"autostart\"?",
                "baton.toml:8:11: program.api.command: environment variable PORT is not set",
                "baton.toml:9:14: program.api.stopsignal: unknown signal \"NOPE\", expected one of HUP, INT, "
                        + "QUIT, KILL, USR1, USR2, TERM, CONT, STOP, TSTP, WINCH"),
                errors("""
                        [baton]
                        log_to_stdout = "yes"
                        # web comes first in the file
                        [program.web]
                        numprocs = "two"
                        autostrat = true
                        [program.api]
                        command = "serve ${PORT}"
                        stopsignal = "NOPE"
                        """));
    }

    @Test
    void missingFileIsOneErrorWithoutPosition() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Path.of("no/such/baton.toml"), Map.of()));

        assertEquals(List.of("no/such/baton.toml: cannot read: no such file"),
                e.errors().stream().map(ConfigError::toString).collect(Collectors.toList()));
    }

    @Test
    void directoryInsteadOfFileCannotBeRead(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir, Map.of()));

        assertEquals(dir + ": cannot read: is a directory", e.getMessage());
    }

    @Test
    void fileThatIsNotUtf8CannotBeRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("baton.toml");
        Files.write(file, new byte[] {'a', ' ', '=', ' ', '"', (byte) 0xff, '"', '\n'});

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));

        assertEquals(file + ": cannot read: not valid UTF-8", e.getMessage());
    }
}
