package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Baton hosts behind a real HAProxy, each a network namespace of its own on a bridge ({@link Netns}), set up
 * as docs/fleet.md says ({@link Haproxy}): HAProxy checks {@code GET /ready} on each host's admin address and would
 * retry a refused connection on another host. Under paced load through HAProxy (fixtures/fleet_load.py, in
 * HAProxy's namespace), every host is reloaded in turn, then one host is stopped with SIGTERM and
 * {@code shutdown_delay} and started again: no request fails, and HAProxy never even has to retry one.
 *
 * <p>A reload keeps {@code /ready} at 200, so HAProxy never takes the host out; on SIGTERM {@code /ready} turns 503
 * at once and Baton serves on for {@code shutdown_delay}, longer than HAProxy takes to notice, so HAProxy has moved
 * the traffic to the other hosts before the listener closes. Skipped only where network namespaces cannot be
 * created (not root).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FleetIT {

    private static final int HOSTS = 3;
    /** The host stopped with SIGTERM and started again. */
    private static final int STOPPED = 2;
    private static final int PROXY_PORT = 8000;
    private static final int ADMIN_PORT = 9100;
    private static final int LB_PORT = 8080;
    /** docs/fleet.md's value for its HAProxy recipe: above a check every second that may take a second. */
    private static final Duration SHUTDOWN_DELAY = Duration.ofSeconds(5);
    private static final int REQUESTS_PER_SECOND = 40;
    /** The load stops by itself after this long, whatever happens: it bounds the test. */
    private static final int LOAD_SECONDS = 75;

    @RegisterExtension
    @Order(1)
    final Netns net = new Netns();

    @RegisterExtension
    @Order(2)
    final Sandbox host1 = new Sandbox();

    @RegisterExtension
    @Order(3)
    final Sandbox host2 = new Sandbox();

    @RegisterExtension
    @Order(4)
    final Sandbox host3 = new Sandbox();

    @TempDir
    Path lbDir;

    private final List<Sandbox> hosts = List.of(host1, host2, host3);
    private final List<Daemon> daemons = new ArrayList<>();
    private Haproxy haproxy;
    private FleetLoad load;

    @Test
    void reloadingEveryHostInTurnAndRestartingOneWithShutdownDelayFailsNoRequestAtHaproxy() {
        long begun = System.nanoTime();
        net.create(HOSTS);
        for (int i = 1; i <= HOSTS; i++) {
            Sandbox host = host(i);
            host.copyFixture("proxied.py");
            host.daemonPrefix(Netns.exec(net.host(i)).toArray(String[]::new));
            writeConfig(i, "v1");
            daemons.add(host.spawnDaemon());
        }
        for (int i = 1; i <= HOSTS; i++) {
            awaitServing(i, daemons.get(i - 1));
        }
        haproxy = Haproxy.start(lbDir, net.lb(), Netns.lbAddress() + ":" + LB_PORT, IntStream.rangeClosed(1, HOSTS)
                .mapToObj(i -> new Haproxy.Server(server(i), Netns.address(i), PROXY_PORT, ADMIN_PORT)).toList());
        await("haproxy to see every host UP (its /ready answering 200)", Sandbox.PATIENCE, () -> haproxy,
                lb -> IntStream.rangeClosed(1, HOSTS).allMatch(i -> lb.status(server(i)).equals("UP")));
        long settingUp = elapsedMillis(begun);

        load = FleetLoad.start(lbDir, net.lb(), "http://" + Netns.lbAddress() + ":" + LB_PORT + "/",
                REQUESTS_PER_SECOND, LOAD_SECONDS);
        try {
            await("every host to answer the load", Sandbox.PATIENCE, load::report, r -> r.failed() > 0
                    || IntStream.rangeClosed(1, HOSTS).allMatch(i -> r.answeredBy(server(i)) >= 5));

            for (int i = 1; i <= HOSTS; i++) {
                reload(i);
            }
            long downsDuringReloads = IntStream.rangeClosed(1, HOSTS)
                    .mapToLong(i -> haproxy.counter(server(i), "chkdown")).sum();

            long outAfterMillis = stopAndStartAgain(STOPPED);

            long answered = load.report().ok();
            await("two more seconds of load on every host", Sandbox.PATIENCE, load::report, r -> r.failed() > 0
                    || r.ok() >= answered + 2L * REQUESTS_PER_SECOND);
            FleetLoad.Report report = load.stop();
            String stats = haproxy.table();
            long retried = haproxy.counter("BACKEND", "wretr");
            long redispatched = haproxy.counter("BACKEND", "wredis");
            long errors = haproxy.counter("BACKEND", "hrsp_5xx") + haproxy.counter("BACKEND", "hrsp_4xx");
            System.out.printf("FleetIT: %d requests through haproxy, %d failed (%d answered 200); haproxy retried %d"
                            + " and redispatched %d; %s out of the pool %d ms after its SIGTERM (shutdown_delay %d"
                            + " ms); set up in %d ms, whole run %d ms%n%s%n", report.sent(), report.failed(),
                    report.ok(), retried, redispatched, server(STOPPED), outAfterMillis, SHUTDOWN_DELAY.toMillis(),
                    settingUp, elapsedMillis(begun), stats);

            String context = report + "\n" + context();
            assertAll(context,
                    () -> assertEquals(0, report.failed(), "requests that failed at haproxy"),
                    () -> assertEquals(report.sent(), report.ok(), "every request answered 200"),
                    () -> assertEquals(0, errors, "haproxy's 4xx and 5xx answers"),
                    () -> assertEquals(0, downsDuringReloads, "a reload keeps /ready at 200: no host left the"
                            + " pool while it reloaded"),
                    () -> assertTrue(outAfterMillis < SHUTDOWN_DELAY.toMillis(), "haproxy took the stopping host"
                            + " out within shutdown_delay, while it still served"),
                    () -> assertEquals(0, retried + redispatched, "haproxy never had to retry a request on another"
                            + " host: a host left the pool (/ready 503) before its listener closed, and joined it"
                            + " again only once it could serve"),
                    () -> assertEquals(1, haproxy.counter(server(STOPPED), "chkdown"), "the stopped host left the pool"
                            + " once"));
        } finally {
            load.kill();
        }
        stopEveryHost();
        haproxy.stop();
    }

    /**
     * Writes host {@code i}'s file: its admin address (for /ready) and shutdown_delay, and program web, 2 workers of
     * fixtures/proxied.py behind the host's address, with {@code RELEASE} in their environment (the deploy).
     */
    private void writeConfig(int i, String release) {
        host(i).writeConfig("""
                metrics_listen = "%s:%d"
                shutdown_delay = "%ds"
                """.formatted(Netns.address(i), ADMIN_PORT, SHUTDOWN_DELAY.toSeconds()), """
                [program.web]
                command = "python3 proxied.py --port {port}"
                numprocs = 2
                listen = "%s:%d"
                health_check = "/healthz"
                environment = { RELEASE = "%s" }
                """.formatted(Netns.address(i), PROXY_PORT, release));
    }

    /** Deploys release v2 on host {@code i} with {@code baton reload --wait}; waits until its generation 2 answers. */
    private void reload(int i) {
        writeConfig(i, "v2");
        long started = System.currentTimeMillis();
        Cli.Result reload = host(i).baton("reload", "--wait");
        assertEquals(0, reload.exit(), () -> server(i) + ": " + reload + "\n" + context());
        await(server(i) + "'s generation 2 to answer through haproxy", Sandbox.PATIENCE, load::report,
                r -> r.failed() > 0 || r.newWorkerAnswered(server(i), "2", started));
    }

    /**
     * SIGTERMs host {@code i}'s daemon, checks that HAProxy takes the host out while it still serves and that it
     * exits 0, starts it again and waits until its new workers answer through HAProxy; answers how long after the
     * SIGTERM HAProxy took the host out.
     */
    private long stopAndStartAgain(int i) {
        Daemon daemon = daemons.get(i - 1);
        long signalled = System.nanoTime();
        daemon.signal("TERM");
        await("haproxy to take " + server(i) + " out after its SIGTERM", Sandbox.PATIENCE, () -> haproxy,
                lb -> lb.status(server(i)).startsWith("DOWN"));
        long outAfter = elapsedMillis(signalled);
        assertTrue(daemon.alive(), () -> server(i) + " was still serving (shutdown_delay) when haproxy took it out "
                + outAfter + " ms after its SIGTERM\n" + context());
        assertEquals(0, daemon.awaitExit(Sandbox.PATIENCE), () -> server(i) + "'s exit status\n" + context());

        long restarted = System.currentTimeMillis();
        Daemon again = host(i).spawnDaemon();
        daemons.set(i - 1, again);
        awaitServing(i, again);
        await("haproxy to see " + server(i) + " UP again", Sandbox.PATIENCE, () -> haproxy,
                lb -> lb.status(server(i)).equals("UP"));
        await(server(i) + "'s restarted workers to answer through haproxy", Sandbox.PATIENCE, load::report,
                r -> r.failed() > 0 || r.newWorkerAnswered(server(i), "1", restarted));
        return outAfter;
    }

    /** SIGTERMs every daemon at once: each serves on for shutdown_delay, drains and exits 0. */
    private void stopEveryHost() {
        daemons.forEach(d -> d.signal("TERM"));
        for (int i = 1; i <= HOSTS; i++) {
            Daemon daemon = daemons.get(i - 1);
            assertEquals(0, daemon.awaitExit(Sandbox.PATIENCE), server(i) + "'s exit status\n" + daemon.tail());
        }
    }

    /** Waits until host {@code i}'s daemon answers on its control socket and both web workers are healthy. */
    private void awaitServing(int i, Daemon daemon) {
        Sandbox host = host(i);
        await(server(i) + "'s baton run to open its control socket", Sandbox.PATIENCE, () -> {
            assertTrue(daemon.alive(), () -> server(i) + ": baton run exited early\n" + daemon.tail());
            return host.reachable();
        }, ok -> ok);
        host.awaitStatus(server(i) + ": 2 web workers HEALTHY", s -> ProxyStatus.healthy(s, "web", 2));
    }

    private Sandbox host(int i) {
        return hosts.get(i - 1);
    }

    private static String server(int i) {
        return "h" + i;
    }

    /** HAProxy's view, what the load saw and every host's log tail: what a failure here needs. */
    private String context() {
        List<String> parts = new ArrayList<>();
        if (haproxy != null) {
            parts.add(haproxy.table());
            parts.add(haproxy.notable());
        }
        if (load != null) {
            parts.add(load.report().toString());
        }
        for (int i = 1; i <= hosts.size(); i++) {
            parts.add("=== " + server(i) + " (" + Netns.address(i) + ")\n" + host(i).context());
        }
        return parts.stream().collect(Collectors.joining("\n"));
    }

    /** Polls {@code probe} every 50 ms until its value satisfies {@code ok}; fails with {@link #context()}. */
    private <T> T await(String what, Duration patience, Supplier<T> probe, Predicate<T> ok) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            T value = probe.get();
            if (ok.test(value)) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + patience.toSeconds() + " s waiting for " + what
                        + "\n" + context());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    private static long elapsedMillis(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }
}
