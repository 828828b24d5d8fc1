package dev.baton.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final Path FILE = Path.of("/etc/baton/baton.toml");
    private static final Path DIR = Path.of("/etc/baton");

    private static BatonConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, FILE, Map.of("HOME", "/home/app", "GREETING", "hello world"));
    }

    private static ProgramConfig only(BatonConfig config) {
        assertEquals(1, config.programs().size());
        return config.programs().get(0);
    }

    @Test
    void fullConfigWithEveryKeyIsRead() throws ConfigException {
        BatonConfig config = parse("""
                [baton]
                socket = "/run/baton.sock"
                socket_group = "wheel"
                log_dir = "/var/log/baton"
                log_to_stdout = true

                [program.web]
                command = "python3 -m http.server {port} --bind 127.0.0.1"
                directory = "/srv/web"
                environment = { MODE = "prod", HOME_DIR = "${HOME}" }
                numprocs = 4
                autostart = false
                autorestart = true
                exitcodes = [0, 2]
                startsecs = 5
                startretries = 7
                stopsignal = "SIGINT"
                stopwaitsecs = 30
                stopasgroup = false
                killasgroup = false
                redirect_stderr = true
                stdout_logfile_maxbytes = "1GB"
                stdout_logfile_backups = 3
                stderr_logfile_maxbytes = 1024
                stderr_logfile_backups = 0
                priority = 5
                user = "www-data"
                reload_strategy = "rolling"
                max_surge = 2
                start_timeout = "90s"
                """);

        assertEquals(FILE, config.file());
        assertEquals(new DaemonSettings(Path.of("/run/baton.sock"), Optional.of("wheel"),
                Path.of("/var/log/baton"), true), config.daemon());
        ProgramConfig expected = new ProgramConfig("web",
                List.of("python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1"), Path.of("/srv/web"),
                Map.of("MODE", "prod", "HOME_DIR", "/home/app"), 4, false, AutoRestart.ALWAYS, List.of(0, 2),
                5, 7, Signal.INT, 30, false, false, true, 1024L * 1024 * 1024, 3, 1024, 0, 5,
                Optional.of("www-data"), new ReloadConfig(ReloadStrategy.ROLLING, 2, Duration.ofSeconds(90)),
                Optional.empty());
        assertEquals(expected, only(config));
        assertEquals(Optional.of(expected), config.program("web"));
        assertTrue(expected.usesPort());
        assertFalse(expected.usesSocket());
    }

    @Test
    void observabilityKeysOfBatonAreRead() throws ConfigException {
        BatonConfig config = parse("""
                [baton]
                log_timestamps = true
                metrics_listen = "127.0.0.1:9100"
                event_command = "/usr/local/bin/notify --home ${HOME} 'a b'"

                [program.web]
                command = "./run"
                """);

        DaemonSettings daemon = config.daemon();
        assertTrue(daemon.logTimestamps());
        assertEquals(Optional.of(ListenAddress.tcp("127.0.0.1", 9100)), daemon.metricsListen());
        assertEquals(List.of("/usr/local/bin/notify", "--home", "/home/app", "a b"), daemon.eventCommand());
    }

    @Test
    void shutdownDelayIsReadAsADurationAndZeroByDefault() throws ConfigException {
        assertEquals(Duration.ofSeconds(5), parse("[baton]\nshutdown_delay = \"5s\"\n").daemon().shutdownDelay());
        assertEquals(Duration.ofMillis(1500), parse("[baton]\nshutdown_delay = 1.5\n").daemon().shutdownDelay());
        assertEquals(Duration.ofMinutes(10), parse("[baton]\nshutdown_delay = \"10m\"\n").daemon().shutdownDelay());
        assertEquals(Duration.ZERO, parse("[baton]\nshutdown_delay = \"0s\"\n").daemon().shutdownDelay());
        assertEquals(Duration.ZERO, parse("[baton]\nshutdown_delay = 0\n").daemon().shutdownDelay());
        assertEquals(Duration.ZERO, parse("").daemon().shutdownDelay());
    }

    @Test
    void omittedKeysTakeTheirDefaults() throws ConfigException {
        BatonConfig config = parse("""
                [program.web]
                command = "./run"
                """);

        assertEquals(new DaemonSettings(DIR.resolve("baton.sock"), Optional.empty(), DIR.resolve("logs"), false),
                config.daemon());
        ProgramConfig expected = new ProgramConfig("web", List.of("./run"), DIR, Map.of(), 1, true,
                AutoRestart.UNEXPECTED, List.of(0), 1, 3, Signal.TERM, 10, true, true, false,
                50L * 1024 * 1024, 10, 50L * 1024 * 1024, 10, 999, Optional.empty(),
                new ReloadConfig(ReloadStrategy.SURGE, 1, Duration.ofSeconds(60)), Optional.empty());
        assertEquals(expected, only(config));
    }

    @Test
    void emptyFileIsADaemonWithNothingToRun() throws ConfigException {
        BatonConfig config = parse("");

        assertTrue(config.programs().isEmpty());
        assertEquals(DIR.resolve("baton.sock"), config.daemon().socket());
    }

    @Test
    void emptyBatonAndProgramTablesAreValid() throws ConfigException {
        BatonConfig config = parse("[baton]\n[program]\n");

        assertTrue(config.programs().isEmpty());
    }

    @Test
    void relativePathsResolveAgainstTheConfigFolder() throws ConfigException {
        BatonConfig config = ConfigLoader.parse("""
                [baton]
                socket = "run/../baton.sock"
                log_dir = "./var/logs"
                [program.web]
                command = "./serve"
                directory = "../app"
                """, Path.of("deploy/conf/./baton.toml"), Map.of());

        Path dir = Path.of("deploy/conf").toAbsolutePath().normalize();
        assertEquals(dir.resolve("baton.toml"), config.file());
        assertEquals(dir.resolve("baton.sock"), config.daemon().socket());
        assertEquals(dir.resolve("var/logs"), config.daemon().logDir());
        assertEquals(dir.getParent().resolve("app"), only(config).directory());
        assertTrue(config.file().isAbsolute());
    }

    @Test
    void missingDirectoryIsNotCheckedAtLoadTime() throws ConfigException {
        ProgramConfig web = only(parse("""
                [program.web]
                command = "x"
                directory = "/does/not/exist"
                """));

        assertEquals(Path.of("/does/not/exist"), web.directory());
    }

    @Test
    void programsAreOrderedByPriorityThenName() throws ConfigException {
        BatonConfig config = parse("""
                [program.zeta]
                command = "z"
                priority = 10
                [program.beta]
                command = "b"
                [program.alpha]
                command = "a"
                [program.gamma]
                command = "g"
                priority = -5
                [program.delta]
                command = "d"
                priority = 10
                """);

        assertEquals(List.of("gamma", "delta", "zeta", "alpha", "beta"),
                config.programs().stream().map(ProgramConfig::name).collect(Collectors.toList()));
    }

    @Test
    void dottedKeysAndInlineTablesAreTomlLikeAnyOther() throws ConfigException {
        BatonConfig config = parse("""
                program.web.command = "w"
                program.api = { command = "a", numprocs = 2, environment.MODE = "x" }
                """);

        assertEquals(1, config.program("web").orElseThrow().numprocs());
        assertEquals(2, config.program("api").orElseThrow().numprocs());
        assertEquals(Map.of("MODE", "x"), config.program("api").orElseThrow().environment());
    }

    @Test
    void programNamesMayUseDotsDashesAndUnderscores() throws ConfigException {
        BatonConfig config = parse("""
                [program."api.v2"]
                command = "a"
                [program.my-app_1]
                command = "b"
                """);

        assertTrue(config.program("api.v2").isPresent());
        assertTrue(config.program("my-app_1").isPresent());
    }

    @Test
    void autorestartAcceptsTrueFalseAndUnexpected() throws ConfigException {
        BatonConfig config = parse("""
                [program.a]
                command = "a"
                autorestart = true
                [program.b]
                command = "b"
                autorestart = false
                [program.c]
                command = "c"
                autorestart = "Unexpected"
                """);

        assertEquals(AutoRestart.ALWAYS, config.program("a").orElseThrow().autorestart());
        assertEquals(AutoRestart.NEVER, config.program("b").orElseThrow().autorestart());
        assertEquals(AutoRestart.UNEXPECTED, config.program("c").orElseThrow().autorestart());
    }

    @Test
    void exitcodesAcceptsASingleIntegerOrAnEmptyArray() throws ConfigException {
        BatonConfig config = parse("""
                [program.a]
                command = "a"
                exitcodes = 3
                [program.b]
                command = "b"
                exitcodes = []
                """);

        assertEquals(List.of(3), config.program("a").orElseThrow().exitcodes());
        assertEquals(List.of(), config.program("b").orElseThrow().exitcodes());
    }

    @Test
    void logfileMaxbytesAcceptsSizeStringsInAnyCase() throws ConfigException {
        BatonConfig config = parse("""
                [program.a]
                command = "a"
                stdout_logfile_maxbytes = "512kb"
                stderr_logfile_maxbytes = "100B"
                [program.b]
                command = "b"
                stdout_logfile_maxbytes = "50MB"
                stderr_logfile_maxbytes = 0
                """);

        assertEquals(512 * 1024, config.program("a").orElseThrow().stdoutLogfileMaxbytes());
        assertEquals(100, config.program("a").orElseThrow().stderrLogfileMaxbytes());
        assertEquals(50 * 1024 * 1024, config.program("b").orElseThrow().stdoutLogfileMaxbytes());
        assertEquals(0, config.program("b").orElseThrow().stderrLogfileMaxbytes());
    }

    @Test
    void stopsignalAcceptsNamesWithOrWithoutSigAndNumbers() throws ConfigException {
        BatonConfig config = parse("""
                [program.a]
                command = "a"
                stopsignal = "quit"
                [program.b]
                command = "b"
                stopsignal = "SIGHUP"
                [program.c]
                command = "c"
                stopsignal = "9"
                """);

        assertEquals(Signal.QUIT, config.program("a").orElseThrow().stopsignal());
        assertEquals(Signal.HUP, config.program("b").orElseThrow().stopsignal());
        assertEquals(Signal.KILL, config.program("c").orElseThrow().stopsignal());
    }

    @Test
    void commandIsSplitLikeAShellAndVariablesExpandInsideEachWord() throws ConfigException {
        ProgramConfig web = only(parse("""
                [program.web]
                command = '''sh -c "echo \\"${GREETING}\\" from {worker}" 'a b'\\ c $$HOME ${GREETING}'''
                environment = { PRICE = "$$5", PLAIN = "{socket} {other} $ {}" }
                """));

        assertEquals(List.of("sh", "-c", "echo \"hello world\" from {worker}", "a b c", "$HOME", "hello world"),
                web.command());
        assertEquals(Map.of("PRICE", "$5", "PLAIN", "{socket} {other} $ {}"), web.environment());
    }

    @Test
    void multiLineCommandSplitsAcrossLines() throws ConfigException {
        ProgramConfig web = only(parse("""
                [program.web]
                command = \"""
                    gunicorn app:main \\\\
                      --bind 127.0.0.1:{port}
                      --workers 2
                \"""
                """));

        assertEquals(List.of("gunicorn", "app:main", "--bind", "127.0.0.1:{port}", "--workers", "2"),
                web.command());
    }

    @Test
    void loadReadsAFileFromDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("baton.toml");
        Files.writeString(file, "[program.web]\ncommand = \"./run\"\n");

        BatonConfig config = ConfigLoader.load(file, Map.of());

        assertEquals(file.toAbsolutePath().normalize(), config.file());
        assertEquals(dir.toAbsolutePath().normalize(), only(config).directory());
    }

    @Test
    void everyExampleConfigLoads() throws Exception {
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            examples = files.filter(p -> p.toString().endsWith(".toml")).sorted().collect(Collectors.toList());
        }
        assertFalse(examples.isEmpty(), "no examples/*.toml found");
        for (Path example : examples) {
            BatonConfig config = ConfigLoader.load(example, System.getenv());
            assertFalse(config.programs().isEmpty(), example + " has no program");
        }
    }

    @Test
    void everyTomlSnippetInTheReferenceParses() throws Exception {
        String markdown = Files.readString(Path.of("../README.md"));
        Matcher snippet = Pattern.compile("```toml\n(.*?)```", Pattern.DOTALL).matcher(markdown);
        int count = 0;
        while (snippet.find()) {
            BatonConfig config = ConfigLoader.parse(snippet.group(1), Path.of("README.md"),
                    Map.of("DATABASE_URL", "postgres://db/app"));
            assertFalse(config.programs().isEmpty());
            count++;
        }
        assertTrue(count >= 4, "only " + count + " snippets found");
    }
}
