package dev.baton.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps docs/fleet.md's HAProxy recipe one that HAProxy accepts ({@code haproxy -c}; skipped, saying so, where
 * HAProxy is not installed) and that checks /ready on the admin port the page's baton.toml sets.
 */
class FleetGuideTest {

    private static final Path DOCS = Path.of(System.getProperty("baton.docs", "../docs"));

    private final String guide = read(DOCS.resolve("fleet.md"));

    @TempDir
    Path temp;

    @Test
    void theHaproxyConfigurationIsValid() throws Exception {
        assumeTrue(Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(d -> !d.isEmpty())
                        .anyMatch(d -> Files.isExecutable(Path.of(d, "haproxy"))),
                "haproxy is not installed (Debian package haproxy): docs/fleet.md's configuration is not checked");
        Path cfg = temp.resolve("haproxy.cfg");
        Files.writeString(cfg, block("haproxy"));
        Path log = temp.resolve("haproxy-c.log");
        Process p = new ProcessBuilder("haproxy", "-c", "-f", cfg.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        // haproxy -c answers in milliseconds; a loaded CI machine may take many times that.
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "haproxy -c did not finish within 60 s");
        assertEquals(0, p.exitValue(), "haproxy -c: " + Files.readString(log));
        assertTrue(!Files.readString(log).contains("[WARNING]"), "haproxy -c warns: " + Files.readString(log));
    }

    @Test
    void haproxyChecksReadyOnTheAdminPortOfEveryServer() {
        String haproxy = block("haproxy");
        Matcher admin = Pattern.compile("metrics_listen = \":(\\d+)\"").matcher(block("toml"));
        assertTrue(admin.find(), "the page's baton.toml sets the admin address");
        assertTrue(haproxy.contains("uri /ready"), "HAProxy's check asks /ready");
        List<String> servers = haproxy.lines().map(String::strip).filter(l -> l.startsWith("server ")).toList();
        assertTrue(servers.size() >= 2, "servers: " + servers);
        for (String server : servers) {
            assertTrue(server.contains(" check port " + admin.group(1) + " "), "checked on the admin port: " + server);
        }
    }

    /** The first fenced block of {@code language}. */
    private String block(String language) {
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(guide);
        assertTrue(m.find(), "docs/fleet.md has a " + language + " block");
        return m.group(1);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
