package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code baton reload} of a proxied program whose proxy keys changed: the keys change in place (the listener is never
 * closed or bound again, no connection is refused, keep-alive connections go on to the new generation), and a new
 * {@code listen} address is bound before anything starts, so one in use rolls the reload back untouched.
 */
class ProxyKeyReloadIT {

    /** The proxy keys of generations 1 to 4: each reload changes one. */
    private static final List<String> KEYS = List.of(
            "max_inflight = 1",
            "max_inflight = 2",
            "max_inflight = 2\nresponse_timeout = \"5s\"",
            "max_inflight = 2\nresponse_timeout = \"5s\"\nmax_queue = 500");

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    @Test
    void threeReloadsChangingProxyKeysUnderLoadFailNoRequestRefuseNoConnectionAndNeverRebindTheListener()
            throws IOException {
        Release.install(sandbox, "1", 0.3);
        sandbox.writeConfig(Release.program(port, 2, KEYS.get(0)));
        Daemon daemon = sandbox.startDaemon();
        Release.awaitHealthy(sandbox, 2);

        Load load;
        Paced probe;
        try (Http.Connection kept = new Http.Connection(port)) {
            assertEquals("1", version(kept.get("/kept/1")));
            load = Load.keepAlive(port, 3);
            probe = Paced.start(port, "/probe", 50, Duration.ofSeconds(120));
            try {
                sandbox.await("the load and the probe answered", () -> load.answers().size() >= 20
                        && probe.ok() >= 20 || !load.failures().isEmpty() || !probe.failures().isEmpty());
                for (int generation = 2; generation <= 4; generation++) {
                    String version = String.valueOf(generation);
                    Release.deploy(sandbox, version, 0.3, Release.Fault.NONE);
                    sandbox.writeConfig(Release.program(port, 2, KEYS.get(generation - 1)));

                    Cli.Result reload = sandbox.baton("reload");

                    assertEquals(0, reload.exit(), () -> reload + "\n" + sandbox.context());
                    assertEquals(version, version(kept.get("/kept/" + version)), "the keep-alive connection opened"
                            + " before the reloads, served by the new generation after reload " + (generation - 1));
                }
            } finally {
                load.stop();
                probe.stop();
            }
        }

        String log = daemon.stderr();
        assertAll("load: " + load + "\nprobe: " + probe,
                () -> assertEquals(List.of(), load.failures(), "keep-alive GETs and POSTs"),
                () -> assertEquals(List.of(), probe.failures(), "GETs on new connections"),
                () -> assertEquals(0, probe.count(Paced.Outcome.REFUSED), "connections refused"),
                () -> assertTrue(probe.ok() >= 20 && load.answers().size() >= 20),
                () -> assertEquals(1, occurrences(log, "web: listening on 127.0.0.1:" + port), log),
                () -> assertFalse(log.contains("web: stopped listening"), log));
        assertNewMaxInflightAndResponseTimeoutApply();
    }

    /** Generation 4 runs max_inflight 2 (was 1) and response_timeout 5 s (was 60 s). */
    private void assertNewMaxInflightAndResponseTimeoutApply() {
        List<CompletableFuture<HttpResponse<String>>> slow = IntStream.range(0, 4)
                .mapToObj(i -> Http.getAsync(port, "/slow?s=4&n=" + i)).toList();
        Status two = sandbox.awaitStatus("a worker with 2 requests in flight (max_inflight 2)", s -> s.program("web")
                .stream().anyMatch(w -> ProxyStatus.inflight(s, w.name()) == 2));
        slow.forEach(f -> assertEquals(200, f.join().statusCode(), () -> f.join().body()));

        long started = System.nanoTime();
        HttpResponse<String> timedOut = Http.get(port, "/slow?s=9");
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertEquals(List.of(4), two.generations("web"), two::toString);
        assertEquals(504, timedOut.statusCode(), timedOut::body);
        assertTrue(millis >= 4500 && millis < 9000, "504 after " + millis + " ms (response_timeout 5 s)");
    }

    @Test
    void keepAliveConnectionOpenedBeforeAReloadChangingHealthCheckIsServedByTheNewGenerationOrClosedNever503()
            throws IOException {
        sandbox.startProxied(port, 2, "");
        try (Http.Connection kept = new Http.Connection(port)) {
            Http.Raw before = kept.get("/before");
            sandbox.writeConfig(proxied(port, "/ready"));

            Cli.Result reload = sandbox.baton("reload");
            assertEquals(0, reload.exit(), () -> reload + "\n" + sandbox.context());
            Http.Raw after;
            try {
                after = kept.get("/after");
            } catch (SocketException e) {
                after = null; // reset: Baton had closed it while idle
            }

            assertEquals("1", generation(before), before::toString);
            Http.Raw answer = after;
            assertTrue(answer == null || answer.status() == 200 && "2".equals(generation(answer)),
                    () -> "the old connection is either closed or served by generation 2: " + answer);
        }
        assertEquals("2", String.valueOf(Http.json(Http.get(port, "/new")).get("generation")));
    }

    @Test
    void reloadToAListenPortInUseRollsBackBeforeAnythingStartsAndTheOldPortKeepsServing() throws IOException {
        Daemon daemon = sandbox.startProxied(port, 2, "");
        Status before = sandbox.status();
        int next = Http.freePort();

        try (ServerSocket taken = new ServerSocket(next, 1, InetAddress.getLoopbackAddress())) {
            sandbox.writeConfig(proxied(next, "/healthz"));

            Cli.Result reload = sandbox.baton("reload");

            Status after = sandbox.status();
            assertAll(reload + "\n" + daemon.tail(),
                    () -> assertEquals(1, reload.exit()),
                    () -> assertTrue(reload.errLines().contains("baton: web: cannot listen on 127.0.0.1:" + next
                            + ": address already in use; rolled back, generation 1 keeps serving")),
                    () -> assertEquals("1", generation(port), "the old port answers generation 1"),
                    () -> assertEquals(List.of("127.0.0.1:" + port), ProxyStatus.program(after, "web").get("listen")),
                    () -> assertEquals(List.of(1), after.generations("web"), after::toString),
                    () -> assertEquals(before.pids("web"), sandbox.workerProcesses(), "the very same workers run"),
                    () -> assertFalse(daemon.stderr().contains("[gen 2]"), "nothing of generation 2 ran"));
        }

        Cli.Result again = sandbox.baton("reload");

        assertEquals(0, again.exit(), () -> again + "\n" + daemon.tail());
        assertEquals("2", generation(next), "the new port answers generation 2");
        sandbox.await("the old port " + port + " closed", () -> !Http.accepting(port));
        Status moved = sandbox.status();
        assertEquals(List.of("127.0.0.1:" + next), ProxyStatus.program(moved, "web").get("listen"), moved::json);
        String log = daemon.stderr();
        int switched = log.indexOf("web: generation 2 STARTING -> SERVING");
        int accepting = log.indexOf("web: listening on 127.0.0.1:" + next);
        int closed = log.indexOf("web: stopped listening on 127.0.0.1:" + port);
        assertTrue(switched >= 0 && switched < accepting && accepting < closed, () -> "the new address accepts at the"
                + " switch to generation 2, and only then does the old one close\n" + log);
    }

    private static String proxied(int listen, String healthCheck) {
        return """
                [program.web]
                command = "python3 proxied.py --port {port}"
                numprocs = 2
                listen = "127.0.0.1:%d"
                health_check = "%s"
                """.formatted(listen, healthCheck);
    }

    /** The generation of the proxied.py worker that answered GET / on {@code listen}; fails unless a 200. */
    private static String generation(int listen) {
        return String.valueOf(Http.json(Http.get(listen, "/")).get("generation"));
    }

    /** The generation a proxied.py answer names; null when it is not a 200. */
    private static String generation(Http.Raw raw) {
        return raw == null || raw.status() != 200 ? null : String.valueOf(Json.object(raw.body()).get("generation"));
    }

    /** The version a release_app.py answer names; fails unless it is a 200. */
    private static String version(Http.Raw raw) {
        assertTrue(raw != null && raw.status() == 200, () -> "a 200 on the kept connection: " + raw);
        return String.valueOf(Json.object(raw.body()).get("version"));
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
