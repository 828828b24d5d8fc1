package dev.baton.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.conf.internal.DaemonReader;
import dev.baton.conf.internal.GroupReader;
import dev.baton.conf.internal.ProgramReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The recycling and canary keys of {@code [program.NAME]}: defaults, forms, and every error a user can make. */
class RecycleConfigTest {

    private static ProgramConfig parse(String keys) throws ConfigException {
        return ConfigLoader.parse("[program.web]\ncommand = \"./run {port}\"\nlisten = \"127.0.0.1:8000\"\n" + keys
                + "\n", Path.of("baton.toml"), Map.of()).programs().get(0);
    }

    private static List<String> errors(String toml) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(toml, Path.of("baton.toml"), Map.of()));
        return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
    }

    @Test
    void recyclingIsOffByDefaultAndHungWorkersAreReplacedAfterThirtySeconds() throws ConfigException {
        ProgramConfig p = parse("");
        assertEquals(RecycleConfig.DEFAULTS, p.recycle());
        assertEquals(new RecycleConfig(0, 0, 0, Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(30)),
                p.recycle());
        assertEquals(new CanaryConfig(10, Duration.ofSeconds(60), 1.0, 2.0), p.reload().canary());
        assertEquals(ReloadStrategy.SURGE, p.reload().strategy());
    }

    @Test
    void everyRecyclingKeyIsRead() throws ConfigException {
        ProgramConfig p = parse("""
                max_requests = 1000
                max_requests_jitter = 50
                max_memory = "300MB"
                memory_check_interval = "2s"
                max_lifetime = "6h"
                replace_unhealthy_after = 0
                """);
        assertEquals(new RecycleConfig(1000, 50, 300L * 1024 * 1024, Duration.ofSeconds(2), Duration.ofHours(6),
                Duration.ZERO), p.recycle());
        assertEquals(Duration.ZERO, parse("replace_unhealthy_after = \"0\"").recycle().replaceUnhealthyAfter());
        assertEquals(Duration.ofDays(7), parse("max_lifetime = \"168h\"").recycle().maxLifetime());
        assertEquals(1_000_000, parse("max_memory = 1000000").recycle().maxMemory());
    }

    @Test
    void everyCanaryKeyIsRead() throws ConfigException {
        ProgramConfig p = parse("""
                reload_strategy = "canary"
                canary_weight = 25
                canary_duration = "90s"
                canary_max_error_increase = 0.5
                canary_max_latency_ratio = 3
                """);
        assertEquals(ReloadStrategy.CANARY, p.reload().strategy());
        assertEquals(new CanaryConfig(25, Duration.ofSeconds(90), 0.5, 3.0), p.reload().canary());
        assertEquals(ReloadStrategy.CANARY, parse("").withReloadStrategy(ReloadStrategy.CANARY).reload().strategy());
    }

    @Test
    void badValuesAreReportedAtOnceWithTheirPositions() {
        assertEquals(List.of(
                "baton.toml:4:16: program.web.max_requests: must be at least 0, found -1",
                "baton.toml:5:14: program.web.max_memory: invalid size \"lots\", expected a number of bytes or a size"
                        + " such as \"512KB\", \"50MB\", \"1GB\"",
                "baton.toml:6:16: program.web.max_lifetime: must be at most 720h, found \"800h\"",
                "baton.toml:7:27: program.web.replace_unhealthy_after: must be longer than 0 (or 0 to turn it off),"
                        + " found -1",
                "baton.toml:8:17: program.web.canary_weight: must be at most 100, found 101",
                "baton.toml:9:29: program.web.canary_max_error_increase: expected a number, found a string",
                "baton.toml:10:28: program.web.canary_max_latency_ratio: must be between 1 and 1000, found 0.5"),
                errors("""
                        [program.web]
                        command = "./run {port}"
                        listen = "127.0.0.1:8000"
                        max_requests = -1
                        max_memory = "lots"
                        max_lifetime = "800h"
                        replace_unhealthy_after = -1
                        canary_weight = 101
                        canary_max_error_increase = "1%"
                        canary_max_latency_ratio = 0.5
                        """));
    }

    @Test
    void requestCountsAndCanariesNeedTheProxy() {
        assertEquals(List.of(
                "baton.toml:3:16: program.web.max_requests: needs listen: Baton counts the requests it proxies to"
                        + " each worker",
                "baton.toml:4:19: program.web.reload_strategy: \"canary\" needs listen: the canary's share of requests"
                        + " goes through Baton's proxy"),
                errors("[program.web]\ncommand = \"./run\"\nmax_requests = 100\nreload_strategy = \"canary\"\n"));
        assertEquals(List.of("baton.toml:4:23: program.web.max_requests_jitter: has no effect without max_requests"),
                errors("[program.web]\ncommand = \"./run {port}\"\nlisten = \"127.0.0.1:8000\"\n"
                        + "max_requests_jitter = 10\n"));
    }

    @Test
    void theReferenceExampleIsValidAsItIs() throws ConfigException {
        BatonConfig config = ConfigLoader.load(Path.of("examples/baton.toml"), Map.of());
        assertEquals(List.of("web"), config.group("site").orElseThrow().programs());
    }

    @Test
    void everyProgramAndBatonKeyIsInTheReadmeTableAndTheReferenceExample() throws IOException {
        String example = Files.readString(Path.of("examples/baton.toml"));
        String readme = Files.readString(Path.of("../README.md"));
        for (String key : ProgramReader.KEYS) {
            assertTrue(readme.contains("| `" + key + "` "), key + " is not in the README table");
            if (!key.equals("command")) {
                assertTrue(example.contains("\n" + key + " = ") || example.contains("\n# " + key + " = "),
                        key + " is not in examples/baton.toml");
            }
        }
        for (String key : GroupReader.KEYS) {
            assertTrue(readme.contains("| `" + key + "` "), "[group] " + key + " is not in the README table");
            assertTrue(example.contains("\n" + key + " = "), "[group] " + key + " is not in examples/baton.toml");
        }
        for (String key : DaemonReader.KEYS) {
            assertTrue(readme.contains("| `" + key + "` "), "[baton] " + key + " is not in the README table");
            assertTrue(example.contains("\n" + key + " = ") || example.contains("\n# " + key + " = "),
                    "[baton] " + key + " is not in examples/baton.toml");
        }
    }
}
