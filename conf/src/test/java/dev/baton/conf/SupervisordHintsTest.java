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

/** What a user coming from supervisord is told about the keys, sections and files Baton reads otherwise. */
class SupervisordHintsTest {

    private static List<String> errors(String toml) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(toml, Path.of("baton.toml"), Map.of()));
        return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
    }

    @Test
    void supervisordProgramKeysSayWhatBatonDoesInstead() {
        assertEquals(List.of(
                "baton.toml:3:1: program.web.stdout_capture_maxbytes: supervisord key; Baton has none: there is no"
                        + " capture mode (events are [baton] event_command)",
                "baton.toml:4:1: program.web.stderr_events_enabled: supervisord key; Baton's is [baton]"
                        + " event_command, run for each worker exit, restart and reload (not for output lines)",
                "baton.toml:5:1: program.web.stdout_syslog: supervisord key; Baton has none: under systemd set"
                        + " [baton] log_to_stdout = true and journald keeps every worker line",
                "baton.toml:6:1: program.web.serverurl: supervisord key; Baton has none: workers do not talk to"
                        + " Baton, and the baton CLI finds the daemon by [baton] socket"),
                errors("""
                        [program.web]
                        command = "./run"
                        stdout_capture_maxbytes = "1MB"
                        stderr_events_enabled = true
                        stdout_syslog = true
                        serverurl = "AUTO"
                        """));
    }

    @Test
    void formerlyUnknownSupervisordKeysAreRealKeysNow() throws ConfigException {
        ProgramConfig p = ConfigLoader.parse("""
                [program.web]
                command = "./run"
                numprocs = 2
                numprocs_start = 1
                process_name = "{program}_{worker}"
                stdout_logfile = "/var/log/web.log"
                """, Path.of("/etc/baton.toml"), Map.of()).programs().get(0);
        assertEquals(1, p.naming().numprocsStart());
        assertEquals(List.of("baton.toml:3:16: program.web.process_name: supervisord expansions are not Baton's:"
                + " write {program} for %(program_name)s and {worker:02} for %(process_num)02d (baton import"
                + " converts a whole file)"),
                errors("[program.web]\ncommand = \"./run\"\nprocess_name = \"%(program_name)s_%(process_num)02d\"\n"));
        assertEquals(List.of("baton.toml:3:1: program.web.numproc_start: unknown key, did you mean"
                + " \"numprocs_start\"?"), errors("[program.web]\ncommand = \"./run\"\nnumproc_start = 1\n"));
    }

    @Test
    void anEnvironmentStringIsShownAsTheTableItShouldBe() {
        assertEquals(List.of(
                "baton.toml:2:15: baton.environment: supervisord syntax; Baton's environment is a table:"
                        + " environment = { TZ = \"UTC\" }",
                "baton.toml:5:15: program.web.environment: supervisord syntax; Baton's environment is a table:"
                        + " environment = { A = \"1\", B = \"two words\", C = \"x,y\", D = \"\" }",
                "baton.toml:8:15: program.api.environment: supervisord syntax; Baton's environment is a table:"
                        + " environment = { A = \"1\", B = \"2\" }"),
                errors("""
                        [baton]
                        environment = "TZ=UTC"
                        [program.web]
                        command = "./run"
                        environment = "A=1, B=\\"two words\\",C='x,y',D="
                        [program.api]
                        command = "./api"
                        environment = "not pairs"
                        """));
    }

    @Test
    void supervisordSectionsWrittenAsTablesNameBatonsCounterpart() {
        assertEquals(List.of(
                "baton.toml:1:1: supervisord: supervisord section; Baton's daemon settings are [baton] (socket,"
                        + " log_dir, log_to_stdout...)",
                "baton.toml:3:1: unix_http_server: supervisord section; Baton's control socket is [baton] socket,"
                        + " with socket_group for its permissions",
                "baton.toml:5:1: include: supervisord section; Baton's is [baton] include = [\"conf.d/*.toml\"]",
                "baton.toml:7:1: inet_http_server: supervisord section; Baton has no control over TCP (the control"
                        + " API is on [baton] socket); metrics over HTTP are [baton] metrics_listen",
                "baton.toml:8:1: supervisorctl: supervisord section; Baton has none: the baton CLI reads [baton]"
                        + " socket from this file (--config)",
                "baton.toml:9:1: eventlistener: supervisord section; Baton's is [baton] event_command, run with"
                        + " each event as JSON on its standard input",
                "baton.toml:10:1: fcgi-program: supervisord section; Baton has no FastCGI: run the workers as a"
                        + " [program.NAME] with listen, and Baton proxies HTTP to them",
                "baton.toml:11:1: rpcinterface: supervisord section; Baton's control API is built in (the baton"
                        + " CLI over [baton] socket), nothing to configure"),
                errors("""
                        [supervisord]
                        logfile = "/var/log/supervisord.log"
                        [unix_http_server]
                        file = "/run/supervisor.sock"
                        [include]
                        files = "conf.d/*.conf"
                        [inet_http_server]
                        [supervisorctl]
                        [eventlistener.x]
                        [fcgi-program.x]
                        [rpcinterface.supervisor]
                        """));
    }

    @Test
    void aSupervisordIniFileIsToldToBeImported(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("supervisord.conf");
        Files.writeString(file, """
                ; supervisor config
                [unix_http_server]
                file=/tmp/supervisor.sock

                [program:web]
                command=/usr/bin/gunicorn app:main
                numprocs=2
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        assertEquals(List.of(file + ":5:1: this looks like a supervisord configuration: convert it with baton import "
                + file), e.errors().stream().map(ConfigError::toString).collect(Collectors.toList()));
    }

    @Test
    void anIncludedSupervisordFileIsToldToBeImportedToo(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("conf.d/web.conf"), "[program:web]\ncommand=/bin/web\n");
        Path main = dir.resolve("baton.toml");
        Files.writeString(main, "[baton]\ninclude = [\"conf.d/*.conf\"]\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(main, Map.of()));
        Path shown = dir.resolve("conf.d/web.conf");
        assertEquals(List.of(shown + ":1:1: this looks like a supervisord configuration: convert it with baton"
                + " import " + shown), e.errors().stream().map(ConfigError::toString).collect(Collectors.toList()));
    }

    @Test
    void aTomlSyntaxErrorInABatonFileIsStillReportedAsSuch() {
        assertEquals(List.of("baton.toml:2:10: Unexpected end of line, expected a value"),
                errors("[program.web]\ncommand =\n"));
    }
}
