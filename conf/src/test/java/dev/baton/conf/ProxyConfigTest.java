package dev.baton.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import dev.baton.conf.internal.ProxyReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The reverse-proxy keys of {@code [program.NAME]} as read into {@link ProxyConfig}. */
class ProxyConfigTest {

    private static final Path FILE = Path.of("/etc/baton/baton.toml");

    private static BatonConfig parse(String toml) throws ConfigException {
        return ConfigLoader.parse(toml, FILE, Map.of("LOG_DIR", "/var/log/web"));
    }

    private static ProxyConfig proxy(String keys) throws ConfigException {
        return parse("[program.web]\ncommand = \"./run {port}\"\n" + keys + "\n")
                .program("web").orElseThrow().proxy().orElseThrow();
    }

    @Test
    void fullProxyConfigWithEveryKeyIsRead() throws ConfigException {
        ProxyConfig proxy = proxy("""
                listen = ["0.0.0.0:80", "[::]:80", "unix:/run/web.sock"]
                health_check = "/healthz?full=1"
                max_inflight = 0
                max_queue = 50
                queue_timeout = "2.5s"
                connect_timeout = "250ms"
                response_timeout = "2m"
                header_timeout = 3
                body_timeout = "45s"
                keepalive_timeout = 0.5
                upstream_keepalive_timeout = "1500ms"
                max_header_size = "64KB"
                max_body_size = "10MB"
                health_interval = "1h"
                health_timeout = "5s"
                health_rise = 5
                health_fall = 1
                retries = 0
                trusted_proxies = ["10.0.0.0/8", "::1", "192.168.1.7", "fd00::/8"]
                access_log = "logs/web-access.log"
                access_log_format = "json"
                access_log_maxbytes = 1048576
                access_log_backups = 0
                warmup_path = "/warm?all=1"
                warmup_requests = 3
                """);

        assertEquals(ProxyConfig.builder(List.of(ListenAddress.tcp("0.0.0.0", 80), ListenAddress.tcp("::", 80),
                        ListenAddress.unix(Path.of("/run/web.sock"))))
                .healthCheck(Optional.of("/healthz?full=1"))
                .maxInflight(0)
                .maxQueue(50)
                .queueTimeout(Duration.ofMillis(2500))
                .connectTimeout(Duration.ofMillis(250))
                .responseTimeout(Duration.ofMinutes(2))
                .headerTimeout(Duration.ofSeconds(3))
                .bodyTimeout(Duration.ofSeconds(45))
                .keepaliveTimeout(Duration.ofMillis(500))
                .upstreamKeepaliveTimeout(Duration.ofMillis(1500))
                .maxHeaderSize(64 * 1024)
                .maxBodySize(10 * 1024 * 1024)
                .healthInterval(Duration.ofHours(1))
                .healthTimeout(Duration.ofSeconds(5))
                .healthRise(5)
                .healthFall(1)
                .retries(0)
                .trustedProxies(List.of("10.0.0.0/8", "::1", "192.168.1.7", "fd00::/8"))
                .accessLog(Optional.of(Path.of("/etc/baton/logs/web-access.log")))
                .accessLogFormat(AccessLogFormat.JSON)
                .accessLogMaxbytes(1024 * 1024)
                .accessLogBackups(0)
                .warmupPath(Optional.of("/warm?all=1"))
                .warmupRequests(3)
                .build(),
                proxy);
        assertEquals(Optional.of("/healthz?full=1"), proxy.health().path());
        assertEquals(Optional.of("/warm?all=1"), proxy.health().warmupPath());
        assertEquals(proxy, proxy.toBuilder().build());
    }

    @Test
    void listenAloneGivesEveryOtherKeyItsDefault() throws ConfigException {
        ProxyConfig proxy = proxy("listen = \"127.0.0.1:8000\"");

        List<ListenAddress> listen = List.of(ListenAddress.tcp("127.0.0.1", 8000));
        assertEquals(ProxyConfig.defaults(listen), proxy);
        assertEquals(new ProxyConfig(listen,
                new ProxyConfig.Health(Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3,
                        Optional.empty(), 1),
                new ProxyConfig.Limits(1, 1000, 16384, 0, 2),
                new ProxyConfig.Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(60),
                        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(75), Duration.ofSeconds(1)),
                List.of(),
                new ProxyConfig.AccessLog(Optional.empty(), AccessLogFormat.COMBINED, 50L * 1024 * 1024, 10)), proxy);
    }

    @Test
    void programWithoutListenHasNoProxy() throws ConfigException {
        ProgramConfig web = parse("[program.web]\ncommand = \"./run {port}\"\n").program("web").orElseThrow();

        assertEquals(Optional.empty(), web.proxy());
    }

    @Test
    void listenAcceptsEveryTextFormAsAStringOrAnArray() throws ConfigException {
        assertEquals(List.of(ListenAddress.tcp("", 8000)), proxy("listen = \":8000\"").listen());
        assertEquals(List.of(
                ListenAddress.tcp("127.0.0.1", 8001), ListenAddress.tcp("0.0.0.0", 8002),
                ListenAddress.tcp("localhost", 8003), ListenAddress.tcp("::1", 8004), ListenAddress.tcp("::", 8005),
                ListenAddress.tcp("", 8006), ListenAddress.unix(Path.of("/run/web.sock")),
                ListenAddress.unix(Path.of("/etc/baton/web.sock"))),
                proxy("""
                        listen = [
                            "127.0.0.1:8001", "0.0.0.0:8002", "localhost:8003", "[::1]:8004", "[::]:8005", ":8006",
                            "unix:/run/web.sock", "unix:web.sock",
                        ]""").listen());
    }

    @Test
    void listenAddressesRenderAsWritten() throws ConfigException {
        List<ListenAddress> listen = proxy("listen = [\"[::1]:8000\", \":8001\", \"unix:run/web.sock\"]").listen();

        assertEquals("[::1]:8000, :8001, unix:/etc/baton/run/web.sock",
                String.join(", ", listen.stream().map(ListenAddress::toString).toList()));
        assertTrue(listen.get(2).isUnix());
    }

    @Test
    void programsListenOnDistinctAddressesOfOnePort() throws ConfigException {
        BatonConfig config = parse("""
                [program.web]
                command = "./web {port}"
                listen = ["127.0.0.1:8000", "unix:web.sock"]
                [program.api]
                command = "./api {port}"
                listen = ["localhost:8000", "[::1]:8000", "unix:api.sock"]
                [program.worker]
                command = "./work {port}"
                """);

        assertEquals(2, config.program("web").orElseThrow().proxy().orElseThrow().listen().size());
        assertEquals(3, config.program("api").orElseThrow().proxy().orElseThrow().listen().size());
        assertEquals(Optional.empty(), config.program("worker").orElseThrow().proxy());
    }

    @Test
    void durationsAcceptUnitsFractionsAndTomlSeconds() throws ConfigException {
        ProxyConfig proxy = proxy("""
                listen = ":8000"
                queue_timeout = "250ms"
                connect_timeout = "1.5s"
                response_timeout = "2m"
                header_timeout = "1h"
                keepalive_timeout = 90
                upstream_keepalive_timeout = 0.25
                health_interval = "24h"
                health_timeout = "0.001s"
                """);

        assertEquals(Duration.ofMillis(250), proxy.timeouts().queue());
        assertEquals(Duration.ofMillis(1500), proxy.timeouts().connect());
        assertEquals(Duration.ofMinutes(2), proxy.timeouts().response());
        assertEquals(Duration.ofHours(1), proxy.timeouts().header());
        assertEquals(Duration.ofSeconds(90), proxy.timeouts().keepalive());
        assertEquals(Duration.ofMillis(250), proxy.timeouts().upstreamKeepalive());
        assertEquals(Duration.ofHours(24), proxy.health().interval());
        assertEquals(Duration.ofMillis(1), proxy.health().timeout());
    }

    @Test
    void healthTimeoutMayExceedHealthInterval() throws ConfigException {
        ProxyConfig proxy = proxy("listen = \":8000\"\nhealth_interval = \"1s\"\nhealth_timeout = \"3s\"");

        assertEquals(Duration.ofSeconds(3), proxy.health().timeout());
    }

    @Test
    void sizesAcceptBytesAndUnitStringsWithinTheirRange() throws ConfigException {
        ProxyConfig smallest = proxy("""
                listen = ":8000"
                max_header_size = "1KB"
                max_body_size = "1gb"
                access_log_maxbytes = 0
                """);
        ProxyConfig largest = proxy("listen = \":8000\"\nmax_header_size = 1048576\nmax_body_size = \"100B\"");

        assertEquals(1024, smallest.limits().maxHeaderSize());
        assertEquals(1024L * 1024 * 1024, smallest.limits().maxBodySize());
        assertEquals(0, smallest.accessLog().maxbytes());
        assertEquals(1024 * 1024, largest.limits().maxHeaderSize());
        assertEquals(100, largest.limits().maxBodySize());
    }

    @Test
    void accessLogFormatIgnoresCaseAndAccessLogResolvesAgainstTheConfigFolder() throws ConfigException {
        ProxyConfig proxy = proxy("""
                listen = ":8000"
                access_log = "../../var/log/access.log"
                access_log_format = "Combined"
                """);

        assertEquals(Optional.of(Path.of("/var/log/access.log")), proxy.accessLog().path());
        assertEquals(AccessLogFormat.COMBINED, proxy.accessLog().format());
    }

    @Test
    void proxyKeysWorkInInlineTablesAndDottedKeys() throws ConfigException {
        BatonConfig config = parse("""
                program.api = { command = "./api {port}", listen = ":9000", retries = 5 }
                program.web.command = "./web {port}"
                program.web.listen = ":9001"
                """);

        assertEquals(5, config.program("api").orElseThrow().proxy().orElseThrow().limits().retries());
        assertEquals(List.of(ListenAddress.tcp("", 9001)),
                config.program("web").orElseThrow().proxy().orElseThrow().listen());
    }

    @Test
    void referenceExampleListsEveryProxyKeyCommentedOutWithItsDefault() throws IOException, ConfigException {
        String example = Files.readString(Path.of("examples/baton.toml"));
        String readme = Files.readString(Path.of("../README.md"));
        for (String key : ProxyReader.KEYS) {
            assertTrue(example.contains("\n# " + key + " = "), key + " is not in examples/baton.toml");
            assertTrue(readme.contains("| `" + key + "` "), key + " is not in the README table");
        }

        String uncommented = example.replaceAll("(?m)^# ([a-z_]+ = )", "$1");
        ProxyConfig proxy = ConfigLoader.parse(uncommented, FILE, Map.of()).program("web").orElseThrow()
                .proxy().orElseThrow();

        assertEquals(List.of(ListenAddress.tcp("127.0.0.1", 8000), ListenAddress.unix(Path.of("/etc/baton/web.sock"))),
                proxy.listen());
        assertEquals(ProxyConfig.defaults(proxy.listen()).toBuilder()
                .healthCheck(Optional.of("/healthz"))
                .trustedProxies(List.of("10.0.0.0/8", "::1"))
                .accessLog(Optional.of(Path.of("/etc/baton/logs/web-access.log")))
                .warmupPath(Optional.of("/"))
                .build(), proxy);
    }
}
