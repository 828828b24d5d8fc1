package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /ready} and {@code GET /live} as a load balancer polls them, on the admin address ({@code metrics_listen})
 * and the control socket, with real Python workers behind Baton's proxy; and {@code shutdown_delay}: on SIGTERM,
 * {@code /ready} turns 503 at once while the proxy's listener still answers every request for the delay, then Baton
 * stops as its graceful shutdown does. {@code baton upgrade} keeps {@code /ready} at 200 throughout.
 */
class ReadinessIT {

    /** The longest {@code /ready} may take to turn 503 after SIGTERM was sent (the bound). */
    private static final long TURNS_503_WITHIN_MILLIS = 100;
    /** An upgrade starts a JVM and Python workers: generous on a loaded 2-core machine. */
    private static final Duration UPGRADE = Duration.ofMinutes(3);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();
    private final int admin = Http.freePort();

    @AfterEach
    void stopTheDaemonAnUpgradeStarted() {
        if (sandbox.reachable()) { // a daemon an upgrade started is not the sandbox's: stop it here
            long pid = sandbox.status().daemonPid();
            if (!sandbox.started(pid)) {
                sandbox.baton("shutdown");
                sandbox.awaitGone("the last daemon", pid);
            }
        }
    }

    /** One probe's answer: its status (0 when the connection failed: {@code body} says how) and its one line. */
    record Answer(int status, String body, long atNanos) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** {@code GET path} on the admin address, a new connection each time, as a load balancer's check does. */
    private Answer probe(String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), admin), 5_000);
            s.setSoTimeout(10_000);
            return exchange(s.getInputStream(), s.getOutputStream(), "GET " + path);
        } catch (IOException e) {
            return new Answer(0, e.toString(), System.nanoTime());
        }
    }

    /** {@code METHOD path} on the control socket. */
    private Answer control(String request) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sandbox.socket()));
            return exchange(Channels.newInputStream(ch), Channels.newOutputStream(ch), request);
        } catch (IOException e) {
            return new Answer(0, e.toString(), System.nanoTime());
        }
    }

    private static Answer exchange(InputStream in, OutputStream out, String request) throws IOException {
        out.write((request + " HTTP/1.1\r\nHost: baton\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String whole = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        long at = System.nanoTime();
        int blank = whole.indexOf("\r\n\r\n");
        if (!whole.startsWith("HTTP/1.1 ") || blank < 0) {
            return new Answer(0, "not an HTTP answer: " + whole, at);
        }
        return new Answer(Integer.parseInt(whole.substring(9, 12)), whole.substring(blank + 4).strip(), at);
    }

    private void config(String batonKeys, String programs) {
        sandbox.copyFixture("proxied.py");
        sandbox.writeConfig("metrics_listen = \"127.0.0.1:%d\"\n%s".formatted(admin, batonKeys), programs);
    }

    private String web(int numprocs) {
        return """
                [program.web]
                command = "python3 proxied.py --port {port}"
                numprocs = %d
                listen = "127.0.0.1:%d"
                health_check = "/healthz"
                health_interval = "200ms"
                """.formatted(numprocs, port);
    }

    @Test
    void readyOnceEveryProgramWithListenHasAHealthyWorkerNotBeforeAndPerProgram() {
        int slowPort = Http.freePort();
        Path go = sandbox.dir().resolve("go");
        config("", web(2) + """

                [program.slow]
                command = "sh -c 'while [ ! -e %s ]; do sleep 0.05; done; exec python3 proxied.py --port {port}'"
                listen = "127.0.0.1:%d"
                health_check = "/healthz"
                health_interval = "200ms"
                startsecs = 0

                [program.queue]
                command = "sleep 600"
                startsecs = 0
                """.formatted(go, slowPort));
        sandbox.startDaemon();

        sandbox.await("web ready on its own", () -> probe("/ready?program=web").status() == 200);
        sandbox.awaitRunning("queue", 1);
        Answer whole = probe("/ready");
        Answer slow = probe("/ready?program=slow");
        Answer viaControl = control("GET /ready");
        Answer queue = probe("/ready?program=queue");
        Answer unknown = probe("/ready?program=nope");
        Answer live = probe("/live");
        Answer liveViaControl = control("GET /live");
        assertAll(
                () -> assertEquals("503 not ready: slow has no ready worker", whole.toString(),
                        "slow's workers are still starting: not serving"),
                () -> assertEquals("503 not ready: slow has no ready worker", slow.toString()),
                () -> assertEquals("503 not ready: slow has no ready worker", viaControl.toString(), "the same there"),
                () -> assertEquals("200 ready", queue.toString(), "a program without listen: a RUNNING worker"),
                () -> assertEquals("404 no such program: nope", unknown.toString()),
                () -> assertEquals("200 live", live.toString()),
                () -> assertEquals("200 live", liveViaControl.toString()));

        sandbox.write("go", "");
        sandbox.await("/ready once slow has a healthy worker", () -> probe("/ready").status() == 200);
        assertEquals("200 ready", probe("/ready").toString());
        assertEquals("200 ready", control("GET /ready?program=slow").toString());
        Answer head = control("HEAD /ready");
        assertEquals(200, head.status(), head::toString);
        assertEquals("", head.body(), "HEAD: no body");
    }

    @Test
    void sigtermWithShutdownDelayTurnsReadyTo503AtOnceWhileTheListenerServesOnThenStops() throws Exception {
        long delayMillis = 3_000;
        config("shutdown_delay = \"3s\"", web(2));
        Daemon daemon = sandbox.startDaemon();
        sandbox.awaitStatus("2 web workers HEALTHY", s -> ProxyStatus.healthy(s, "web", 2));
        sandbox.await("/ready 200", () -> probe("/ready").status() == 200);

        Paced paced = Paced.start(port, "/", 50, Duration.ofSeconds(60));
        List<Answer> during = new ArrayList<>();
        long sentAt;
        long sentAtMillis;
        Answer first503;
        try {
            sandbox.await("50 paced GETs answered before SIGTERM", () -> paced.ok() >= 50
                    || !paced.failures().isEmpty());
            sentAtMillis = System.currentTimeMillis();
            sentAt = System.nanoTime();
            // SIGTERM from this JVM (ProcessHandle.destroy), not kill(1): starting a process on a loaded machine
            // would be most of what is measured
            assertTrue(ProcessHandle.of(daemon.pid()).orElseThrow().destroy(), "SIGTERM sent");
            first503 = null;
            while (first503 == null && System.nanoTime() - sentAt < Sandbox.PATIENCE.toNanos()) {
                Answer a = probe("/ready");
                if (a.status() == 503) {
                    first503 = a;
                } else {
                    during.add(a);
                }
            }
            assertTrue(first503 != null, () -> "/ready still not 503 " + Sandbox.PATIENCE + " after SIGTERM: "
                    + during.subList(Math.max(0, during.size() - 3), during.size()) + "\n" + daemon.tail());
            Answer live = probe("/live");
            assertEquals("200 live", live.toString(), "live while leaving the pool");
            sandbox.await("the listener to close after the delay", Duration.ofMillis(delayMillis)
                    .plus(Sandbox.PATIENCE), () -> paced.count(Paced.Outcome.REFUSED) > 0);
        } finally {
            paced.stop();
        }
        Answer turned = first503;
        long latencyMillis = (turned.atNanos() - sentAt) / 1_000_000;
        System.out.println("ReadinessIT: /ready answered 503 " + latencyMillis + " ms after SIGTERM was sent ("
                + during.size() + " answers before it: " + during.stream().map(Answer::toString).distinct().toList()
                + ")");
        assertEquals(0, daemon.awaitExit(Sandbox.PATIENCE), daemon::tail);

        long firstRefused = paced.results().stream().filter(r -> r.outcome() == Paced.Outcome.REFUSED)
                .mapToLong(Paced.Result::startedMillis).min().orElseThrow();
        long servedDuringDelay = paced.results().stream().filter(r -> r.outcome() == Paced.Outcome.OK
                && r.startedMillis() > sentAtMillis + 200 && r.startedMillis() < sentAtMillis + delayMillis - 200)
                .count();
        // a connection whose handshake completed as the listener closed is reset by the kernel, unseen by Baton
        List<String> failed = paced.results().stream().filter(r -> r.outcome() == Paced.Outcome.FAILED
                && !(r.resetUnanswered() && Math.abs(r.startedMillis() - firstRefused) < 500))
                .map(Paced.Result::detail).toList();
        assertAll(
                () -> assertEquals("503 not ready: shutting down", turned.toString()),
                () -> assertTrue(during.stream().allMatch(a -> a.status() == 200), during::toString),
                () -> assertTrue(latencyMillis <= TURNS_503_WITHIN_MILLIS, "/ready turned 503 " + latencyMillis
                        + " ms after SIGTERM was sent, not within " + TURNS_503_WITHIN_MILLIS + " ms"),
                () -> assertEquals(List.of(), failed, paced::toString),
                () -> assertTrue(firstRefused >= sentAtMillis + delayMillis, () -> "refused "
                        + (firstRefused - sentAtMillis) + " ms after SIGTERM, before shutdown_delay was over"),
                () -> assertTrue(servedDuringDelay >= 50, () -> servedDuringDelay
                        + " paced GETs started and answered during the delay; " + paced),
                () -> assertTrue(daemon.stderr().contains("shutdown requested (SIGTERM): leaving the pool, /ready"
                        + " answers 503; serving 3s more (shutdown_delay)"), daemon::tail),
                () -> assertTrue(daemon.stderr().contains("shutting down (SIGTERM): stopping every worker"),
                        daemon::tail));
    }

    @Test
    void batonShutdownSaysItLeavesThePoolAndASecondSigtermEndsTheDelay() throws Exception {
        config("shutdown_delay = \"10m\"", web(1));
        Daemon daemon = sandbox.startDaemon();
        sandbox.awaitStatus("web HEALTHY", s -> ProxyStatus.healthy(s, "web", 1));

        CompletableFuture<Cli.Result> shutdown = CompletableFuture.supplyAsync(() -> sandbox.baton("shutdown"));
        sandbox.await("/ready 503", () -> probe("/ready").status() == 503);
        assertEquals(200, Http.get(port, "/").statusCode(), "serving on during the delay");
        daemon.signal("TERM");

        assertEquals(0, daemon.awaitExit(Sandbox.PATIENCE), daemon::tail);
        Cli.Result result = shutdown.get();
        assertAll(
                () -> assertEquals(0, result.exit(), result::toString),
                () -> assertEquals("baton: leaving the pool: /ready answers 503; serving 10m more (shutdown_delay),"
                        + " then shutting down\nbaton: shut down, every worker stopped\n", result.out()),
                () -> assertTrue(daemon.stderr().contains("shutdown requested again (SIGTERM) during shutdown_delay:"
                        + " ending the delay"), daemon::tail));
    }

    @Test
    void upgradeKeepsReadyAt200Throughout() throws Exception {
        config("shutdown_delay = \"5s\"", web(2));
        Daemon first = sandbox.startDaemon();
        sandbox.awaitStatus("2 web workers HEALTHY", s -> ProxyStatus.healthy(s, "web", 2));
        sandbox.await("/ready 200", () -> probe("/ready").status() == 200);

        AtomicBoolean polling = new AtomicBoolean(true);
        CompletableFuture<List<Answer>> answers = CompletableFuture.supplyAsync(() -> {
            List<Answer> all = new ArrayList<>();
            while (polling.get()) {
                all.add(probe("/ready"));
            }
            return all;
        });
        Cli.Result upgrade;
        try {
            upgrade = Cli.runWithin(UPGRADE, sandbox.dir(), "upgrade", "-c", sandbox.config().toString());
            assertEquals(0, first.awaitExit(Sandbox.PATIENCE), first::tail);
            long newPid = sandbox.status().daemonPid();
            sandbox.await("the new daemon's /ready", () -> probe("/ready").status() == 200);
            assertTrue(newPid != first.pid());
        } finally {
            polling.set(false);
        }
        List<Answer> all = answers.get();
        List<Answer> not200 = all.stream().filter(a -> a.status() != 200).toList();
        System.out.println("ReadinessIT: " + all.size() + " /ready polls during the upgrade, not 200: " + not200);
        assertAll(
                () -> assertEquals(0, upgrade.exit(), upgrade::toString),
                () -> assertTrue(all.size() > 20, () -> all.size() + " polls"),
                () -> assertEquals(List.of(), not200.stream().filter(a -> a.status() != 0).toList(),
                        "no 503 while the new daemon serves and the old one drains"),
                () -> assertTrue(not200.size() <= 1, () -> "connections reset as the old daemon's admin socket"
                        + " closed: " + not200),
                () -> assertTrue(first.stderr().contains("/ready answers 200 until this daemon exits"), first::tail));
    }
}
