package dev.baton.conf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every kind of error in the reverse-proxy keys, with the exact text a user sees. */
class ProxyErrorsTest {

    private static final String FORMS = "expected \"HOST:PORT\", \"[IPV6]:PORT\" or \"unix:PATH\"";

    private static List<String> errors(String toml) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(toml, Path.of("baton.toml"), Map.of()));
        return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
    }

    private static String program(String keys) {
        return "[program.web]\ncommand = \"./run {port}\"\n" + keys + "\n";
    }

    @Test
    void proxiedWorkersThatAreNotToldWhereToListenAreRejected() {
        assertEquals(List.of("baton.toml:3:10: program.web.listen: the workers must listen where Baton tells them:"
                + " use {port} or {socket} in command or environment"),
                errors("[program.web]\ncommand = \"app\"\nlisten = \"127.0.0.1:8000\"\n"));
        assertDoesNotThrow(() -> ConfigLoader.parse("[program.web]\ncommand = \"app\"\nlisten = \"127.0.0.1:8000\"\n"
                + "environment = { PORT = \"{port}\" }\n", Path.of("baton.toml"), Map.of()));
    }

    @Test
    void malformedListenSaysWhichFormsThereAre() {
        assertEquals(List.of("baton.toml:3:10: program.web.listen: " + FORMS + ", found \"8000\""),
                errors(program("listen = \"8000\"")));
    }

    @Test
    void listenArrayProblemsPointAtTheElement() {
        assertEquals(List.of(
                "baton.toml:3:11: program.web.listen[0]: port must be between 1 and 65535, found 0",
                "baton.toml:3:17: program.web.listen[1]: expected a string, found an integer",
                "baton.toml:3:23: program.web.listen[2]: port must be between 1 and 65535, found 70000",
                "baton.toml:3:47: program.web.listen[4]: \":8001\" is listed twice"),
                errors(program("listen = [\":0\", 8000, \"[::1]:70000\", \":8001\", \":8001\"]")));
    }

    @Test
    void listenMustBeAStringOrANonEmptyArray() {
        assertEquals(List.of(
                "baton.toml:3:10: program.web.listen: expected a string or an array of strings, found an integer",
                "baton.toml:6:10: program.api.listen: must not be empty"),
                errors(program("listen = 8000\n[program.api]\ncommand = \"./api {port}\"\nlisten = []")));
    }

    @Test
    void unixSocketPathLongerThan107BytesIsRejected() {
        String path = "/" + "a".repeat(107);
        assertEquals(List.of("baton.toml:3:10: program.web.listen: unix socket path is too long (108 > 107 bytes): "
                + path), errors(program("listen = \"unix:" + path + "\"")));
    }

    @Test
    void sameAddressInTwoProgramsNamesBoth() {
        assertEquals(List.of(
                "baton.toml:6:10: program.api.listen: \"127.0.0.1:8000\" is already used by program.web.listen",
                "baton.toml:9:11: program.admin.listen[0]: \"unix:/run/web.sock\" is already used by "
                        + "program.web.listen"),
                errors("""
                        [program.web]
                        command = "./web {port}"
                        listen = ["127.0.0.1:8000", "unix:/run/web.sock"]
                        [program.api]
                        command = "./api {port}"
                        listen = "127.0.0.1:8000"
                        [program.admin]
                        command = "./admin {port}"
                        listen = ["unix:/run/../run/web.sock"]
                        """));
    }

    @Test
    void listenOnTheControlSocketIsRejected() {
        assertEquals(List.of(
                "baton.toml:5:10: program.web.listen: \"unix:/run/baton.sock\" is already used by baton.socket"),
                errors("""
                        [baton]
                        socket = "/run/baton.sock"
                        [program.web]
                        command = "./web {port}"
                        listen = "unix:/run/baton.sock"
                        """));
    }

    @Test
    void proxyKeysWithoutListenEachSayTheyNeedIt() {
        assertEquals(List.of(
                "baton.toml:3:1: program.web.health_check: needs \"listen\"",
                "baton.toml:4:1: program.web.retries: needs \"listen\"",
                "baton.toml:5:3: program.web.max_queue: needs \"listen\"",
                "baton.toml:5:15: program.web.max_queue: must be at least 0, found -1"),
                errors(program("health_check = \"/healthz\"\nretries = 3\n  max_queue = -1")));
    }

    @Test
    void badDurationsSayWhatADurationLooksLike() {
        assertEquals(List.of(
                "baton.toml:4:19: program.web.connect_timeout: expected a duration such as \"5s\" or \"250ms\", "
                        + "found \"5 parsecs\"",
                "baton.toml:5:17: program.web.queue_timeout: must be longer than 0, found \"0s\"",
                "baton.toml:6:20: program.web.response_timeout: must be longer than 0, found -1",
                "baton.toml:7:18: program.web.header_timeout: must be at most 24h, found \"25h\"",
                "baton.toml:8:21: program.web.keepalive_timeout: expected a duration such as \"5s\" or \"250ms\", "
                        + "found a boolean",
                "baton.toml:9:30: program.web.upstream_keepalive_timeout: must be longer than 0, found 0",
                "baton.toml:10:19: program.web.health_interval: expected a duration such as \"5s\" or \"250ms\", "
                        + "found nan",
                "baton.toml:11:18: program.web.health_timeout: expected a duration such as \"5s\" or \"250ms\", "
                        + "found \"1d\""),
                errors(program("""
                        listen = ":8000"
                        connect_timeout = "5 parsecs"
                        queue_timeout = "0s"
                        response_timeout = -1
                        header_timeout = "25h"
                        keepalive_timeout = true
                        upstream_keepalive_timeout = 0
                        health_interval = nan
                        health_timeout = "1d\"""")));
    }

    @Test
    void badSizesSayTheRangeOrWhatASizeLooksLike() {
        assertEquals(List.of(
                "baton.toml:4:19: program.web.max_header_size: must be at least 1024, found 512",
                "baton.toml:5:17: program.web.max_body_size: invalid size \"10 TB\", expected a number of bytes "
                        + "or a size such as \"512KB\", \"50MB\", \"1GB\"",
                "baton.toml:6:23: program.web.access_log_maxbytes: must be at least 0, found -1",
                "baton.toml:10:19: program.api.max_header_size: must be at most 1048576, found 2097152"),
                errors(program("""
                        listen = ":8000"
                        max_header_size = 512
                        max_body_size = "10 TB"
                        access_log_maxbytes = -1
                        [program.api]
                        command = "./api {port}"
                        listen = ":8001"
                        max_header_size = "2MB\"""")));
    }

    @Test
    void badCountsSayTheBound() {
        assertEquals(List.of(
                "baton.toml:4:16: program.web.max_inflight: must be at least 0, found -1",
                "baton.toml:5:13: program.web.max_queue: expected an integer, found a string",
                "baton.toml:6:15: program.web.health_rise: must be at least 1, found 0",
                "baton.toml:7:15: program.web.health_fall: must be at least 1, found 0",
                "baton.toml:8:11: program.web.retries: must be at least 0, found -2",
                "baton.toml:9:22: program.web.access_log_backups: expected an integer, found a float"),
                errors(program("""
                        listen = ":8000"
                        max_inflight = -1
                        max_queue = "10"
                        health_rise = 0
                        health_fall = 0
                        retries = -2
                        access_log_backups = 1.5""")));
    }

    @Test
    void badHealthCheckTrustedProxiesAndAccessLog() {
        assertEquals(List.of(
                "baton.toml:4:16: program.web.health_check: expected a path such as \"/healthz\", found \"healthz\"",
                "baton.toml:5:34: program.web.trusted_proxies[1]: prefix length must be 0..32 for an IPv4 address, "
                        + "found \"10.0.0.0/33\"",
                "baton.toml:5:49: program.web.trusted_proxies[2]: expected an IP address or CIDR block such as "
                        + "\"10.0.0.0/8\" or \"::1\", found \"proxy.local\"",
                "baton.toml:5:64: program.web.trusted_proxies[3]: expected a string, found an integer",
                "baton.toml:6:21: program.web.access_log_format: must be \"combined\" or \"json\", found \"xml\"",
                "baton.toml:7:14: program.web.access_log: must not be empty",
                "baton.toml:11:16: program.api.health_check: expected a path such as \"/healthz\", "
                        + "found \"/health check\"",
                "baton.toml:12:19: program.api.trusted_proxies: expected an array of strings, found a string"),
                errors(program("""
                        listen = ":8000"
                        health_check = "healthz"
                        trusted_proxies = ["10.0.0.0/8", "10.0.0.0/33", "proxy.local", 7]
                        access_log_format = "xml"
                        access_log = ""
                        [program.api]
                        command = "./api {port}"
                        listen = ":8001"
                        health_check = "/health check"
                        trusted_proxies = "10.0.0.0/8\"""")));
    }

    @Test
    void misspeltProxyKeysGetHints() {
        assertEquals(List.of(
                "baton.toml:4:1: program.web.healthcheck: unknown key, did you mean \"health_check\"?",
                "baton.toml:5:1: program.web.max_inflights: unknown key, did you mean \"max_inflight\"?",
                "baton.toml:6:1: program.web.listen_addr: unknown key, did you mean \"listen\"?"),
                errors(program("listen = \":8000\"\nhealthcheck = \"/h\"\nmax_inflights = 2\nlisten_addr = \":9\"")));
    }

    @Test
    void severalProxyErrorsAcrossProgramsAreReportedAtOnceInFileOrder() {
        assertEquals(List.of(
                "baton.toml:3:29: program.web.listen[1]: " + FORMS + ", found \"8001\"",
                "baton.toml:4:19: program.web.connect_timeout: expected a duration such as \"5s\" or \"250ms\", "
                        + "found \"5 parsecs\"",
                "baton.toml:5:11: program.web.retries: must be at least 0, found -1",
                "baton.toml:8:1: program.api.health_check: needs \"listen\"",
                "baton.toml:9:1: program.api.max_queue: needs \"listen\"",
                "baton.toml:12:10: program.admin.listen: \"127.0.0.1:8000\" is already used by program.web.listen",
                "baton.toml:13:12: program.admin.numprocs: must be at least 1, found 0"),
                errors("""
                        [program.web]
                        command = "./web {port}"
                        listen = ["127.0.0.1:8000", "8001"]
                        connect_timeout = "5 parsecs"
                        retries = -1
                        [program.api]
                        command = "./api {port}"
                        health_check = "/healthz"
                        max_queue = 10
                        [program.admin]
                        command = "./admin {port}"
                        listen = "127.0.0.1:8000"
                        numprocs = 0
                        """));
    }

    @Test
    void reloadKeysAreCheckedWithTheirPositions() {
        assertEquals(List.of(
                "baton.toml:3:19: program.web.reload_strategy: must be \"surge\", \"rolling\", \"restart\" or \"canary\","
                        + " found \"blue-green\"",
                "baton.toml:4:13: program.web.max_surge: must be at least 1, found 0"),
                errors(program("reload_strategy = \"blue-green\"\nmax_surge = 0")));
    }

    @Test
    void warmupRequestsNeedAWarmupPathAndAnHttpPath() {
        assertEquals(List.of(
                "baton.toml:4:15: program.web.warmup_path: expected a path such as \"/healthz\", found \"warm\""),
                errors(program("listen = \":8000\"\nwarmup_path = \"warm\"")));
        assertEquals(List.of("baton.toml:4:1: program.web.warmup_requests: needs \"warmup_path\""),
                errors(program("listen = \":8000\"\nwarmup_requests = 3")));
    }
}
