package dev.baton.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real HAProxy (Debian's {@code haproxy}) in front of Baton hosts, configured as docs/fleet.md's HAProxy recipe:
 * {@code GET /ready} checked on each host's admin port every second, a host out after one failed check and back
 * after two good ones, a request that never reached a host (or an idempotent one it left unanswered) retried on
 * another host. Besides the recipe, it adds {@code X-Server: NAME} to every answer so that a client can tell which
 * host answered. It logs every request (httplog) and every server
 * state change to {@code haproxy.log} in its folder, and answers {@code show stat} on {@code haproxy.sock} there.
 */
final class Haproxy {

    /** A host behind HAProxy: its proxy address and the admin port that answers {@code GET /ready}. */
    record Server(String name, String address, int port, int adminPort) {
    }

    /**
     * How often HAProxy checks {@code /ready} (docs/fleet.md's {@code inter 1s}); one failed check takes a host out,
     * two good ones bring it back. A check may take up to 1 s ({@code timeout check}).
     */
    static final int CHECK_INTERVAL_MILLIS = 1000;

    /**
     * An httplog line of a request answered 200 that ended normally ({@code ----}) without a retry (the last of the
     * connection counts is 0): {@code client [date] web baton/h1 Tq/Tw/Tc/Tr/Ta 200 bytes - - ---- a/f/b/s/0 q/q "GET /"}.
     */
    private static final Pattern PLAIN_REQUEST = Pattern.compile(
            "\\] web baton/\\S+ \\S+ 200 \\d+ \\S+ \\S+ ---- \\d+/\\d+/\\d+/\\d+/0 ");

    private final Process process;
    private final Path dir;

    private Haproxy(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /** Starts HAProxy in {@code namespace}, listening on {@code bind} (ADDRESS:PORT); answers once its socket does. */
    static Haproxy start(Path dir, String namespace, String bind, List<Server> servers) {
        String config = """
                global
                    log stdout format raw local0 info
                    stats socket %s mode 600 level admin

                defaults
                    mode http
                    log global
                    option httplog
                    timeout connect 2s
                    timeout client 75s
                    timeout server 65s
                    timeout check 1s

                frontend web
                    bind %s
                    default_backend baton

                backend baton
                    balance leastconn
                    option httpchk
                    http-check send meth GET uri /ready ver HTTP/1.1 hdr Host baton
                    http-check expect status 200
                    retries 3
                    retry-on conn-failure empty-response response-timeout
                    option redispatch 1
                    acl idempotent method GET HEAD PUT DELETE OPTIONS TRACE
                    http-request disable-l7-retry unless idempotent
                    http-response set-header X-Server %%[srv_name]
                """.formatted(dir.resolve("haproxy.sock"), bind)
                + servers.stream().map(s -> "    server %s %s:%d check port %d inter %dms fall 1 rise 2\n"
                        .formatted(s.name(), s.address(), s.port(), s.adminPort(), CHECK_INTERVAL_MILLIS))
                .collect(Collectors.joining());
        try {
            Files.writeString(dir.resolve("haproxy.cfg"), config);
            List<String> command = new ArrayList<>(Netns.exec(namespace));
            command.addAll(List.of("haproxy", "-db", "-f", dir.resolve("haproxy.cfg").toString()));
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            Haproxy haproxy = new Haproxy(process, dir);
            long deadline = System.nanoTime() + Sandbox.PATIENCE.toNanos();
            while (haproxy.showStat().isEmpty()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    fail("haproxy did not open its stats socket\n" + haproxy.log(40) + "\n--- haproxy.cfg:\n" + config);
                }
                Thread.sleep(50);
            }
            return haproxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start haproxy (the Debian package haproxy is needed)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while starting haproxy", e);
        }
    }

    /** {@code show stat} of backend {@code baton}: one row per server (and BACKEND), each field by its CSV name. */
    Map<String, Map<String, String>> stats() {
        List<String> lines = showStat().lines().toList();
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        if (lines.isEmpty()) {
            return rows;
        }
        String[] names = lines.get(0).replaceFirst("^# ", "").split(",", -1);
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",", -1);
            if (values.length < 2 || !values[0].equals("baton")) {
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.length && i < values.length; i++) {
                row.put(names[i], values[i]);
            }
            rows.put(values[1], row);
        }
        return rows;
    }

    /** The server's state as HAProxy's checks see it: UP, DOWN, or a transition ("DOWN 1/2"); "?" when unknown. */
    String status(String server) {
        return stats().getOrDefault(server, Map.of()).getOrDefault("status", "?");
    }

    /** A counter of {@code show stat} (chkdown, wretr, wredis, hrsp_5xx...) for a server or BACKEND; 0 when empty. */
    long counter(String server, String field) {
        String value = stats().getOrDefault(server, Map.of()).getOrDefault(field, "");
        return value.isEmpty() ? 0 : Long.parseLong(value);
    }

    /** Every server's status, checks, traffic, errors and retries, for failure messages and the closing report. */
    String table() {
        return stats().entrySet().stream().map(e -> {
            Map<String, String> r = e.getValue();
            return "  %-8s %-10s check %-8s chkdown %-2s requests %-5s 2xx %-5s 5xx %-3s econ %-3s eresp %-3s"
                    .formatted(e.getKey(), r.get("status"), r.get("check_status"), r.get("chkdown"), r.get("stot"),
                            r.get("hrsp_2xx"), r.get("hrsp_5xx"), r.get("econ"), r.get("eresp"))
                    + " retried %-3s redispatched %s".formatted(r.get("wretr"), r.get("wredis"));
        }).collect(Collectors.joining("\n", "--- haproxy show stat, backend baton:\n", ""));
    }

    /** The last {@code count} lines of HAProxy's log. */
    String log(int count) {
        List<String> lines = Sandbox.read(dir.resolve("haproxy.log")).lines().toList();
        return "--- haproxy.log, last " + Math.min(count, lines.size()) + " lines:\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    /** HAProxy's log lines but the plain requests (200, ended normally, not retried): state changes, errors. */
    String notable() {
        List<String> lines = Sandbox.read(dir.resolve("haproxy.log")).lines()
                .filter(l -> !PLAIN_REQUEST.matcher(l).find()).toList();
        return "--- haproxy.log without the plain 200s (last 60 of " + lines.size() + "):\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** Stops HAProxy at once (SIGTERM) and waits for it. */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String showStat() {
        Path socket = dir.resolve("haproxy.sock");
        if (!Files.exists(socket)) {
            return "";
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(16384);
            while (channel.read(buffer) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
