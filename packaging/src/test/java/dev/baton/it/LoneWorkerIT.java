package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Workers that are gone or misbehave, seen by clients on new connections: the only worker crashing over and over
 * (GETs wait in Baton's queue for its restart), a program stopped on purpose (503 at once), a worker that hangs
 * (ejected by its health checks) and one that cuts its answers short (ejected by passive checks).
 */
class LoneWorkerIT {

    private static final int KILLS = 5;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    @Test
    void onlyWorkerKilledFiveTimesUnderPacedLoadFailsNoGetBecauseGetsWaitForItsRestart() {
        Daemon daemon = sandbox.startProxied(port, 1, "max_inflight = 4");
        Paced paced = Paced.start(port, "/", 100, Duration.ofSeconds(90));
        Status last;
        try {
            sandbox.await("50 paced GETs answered before the first kill", () -> paced.ok() >= 50
                    || !paced.failures().isEmpty());
            for (int kill = 1; kill <= KILLS; kill++) {
                long victim = sandbox.status().worker("web:0").pid();
                long answered = paced.ok();
                assertTrue(Procs.signal(victim, "KILL"), "kill -9 " + victim);
                int restarts = kill;
                sandbox.awaitStatus("web:0 HEALTHY again after kill " + kill + " (new pid, restart " + kill + ")",
                        s -> ProxyStatus.healthy(s, "web", 1) && s.worker("web:0").pid() != victim
                                && s.worker("web:0").restarts() == restarts);
                sandbox.await("50 more paced GETs answered after restart " + kill, () -> paced.ok() >= answered + 50
                        || !paced.failures().isEmpty());
            }
            last = sandbox.status();
        } finally {
            paced.stop();
        }

        assertAll(paced + "\n" + daemon.proxyLog(),
                () -> assertEquals(List.of(), paced.failures(), "failed GETs"),
                () -> assertEquals(0, paced.count(Paced.Outcome.REFUSED), "refused connections"),
                () -> assertTrue(paced.ok() >= 50 * (KILLS + 1)),
                () -> assertEquals(KILLS, last.worker("web:0").restarts(), last::toString));
    }

    @Test
    void stoppedProgramAnswers503WithRetryAfterAtOnceAndServesAgainAfterStart() throws IOException {
        sandbox.startProxied(port, 1, "queue_timeout = \"30s\"");

        Cli.Result stop = sandbox.baton("stop", "web");
        assertEquals(0, stop.exit(), stop::toString);
        long started = System.nanoTime();
        Http.Raw refused;
        try (Http.Connection connection = new Http.Connection(port)) {
            refused = connection.get("/");
        }
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(refused != null, "an answer to the GET");
        String head = refused.head().toLowerCase(Locale.ROOT);
        assertAll(refused.head() + refused.body(),
                () -> assertEquals(503, refused.status()),
                () -> assertTrue(head.matches("(?s).*\r\nretry-after: \\d+\r\n.*"), "a Retry-After header"),
                () -> assertEquals("503 Service Unavailable: web is stopped; baton start web\n", refused.body()),
                () -> assertTrue(millis < 1000, "answered in " + millis + " ms, not after queue_timeout (30 s)"));

        Cli.Result start = sandbox.baton("start", "web");
        assertEquals(0, start.exit(), start::toString);
        assertEquals(200, Http.get(port, "/after-start").statusCode(), "the first GET after baton start");
    }

    @Test
    void sigstoppedWorkerIsEjectedByHealthChecksWithinEightSecondsWithoutAFailedGetAndReadmittedAfterSigcont() {
        // replace_unhealthy_after = 0: this test lets the same worker back in (RecyclingIT replaces one)
        Daemon daemon = sandbox.startProxied(port, 2, "max_inflight = 1\nreplace_unhealthy_after = 0");
        long stopped = sandbox.status().worker("web:1").pid();
        String ejected = "web: backend web:1 [gen 1] HEALTHY -> UNHEALTHY";
        Paced paced = Paced.start(port, "/", 100, Duration.ofSeconds(90));
        long ejectedMillis;
        try {
            sandbox.await("50 paced GETs answered before the SIGSTOP", () -> paced.ok() >= 50
                    || !paced.failures().isEmpty());
            long signalled = System.nanoTime();
            assertTrue(Procs.signal(stopped, "STOP"), "kill -STOP " + stopped);
            try {
                sandbox.await("web:1 ejected after its SIGSTOP", () -> daemon.stderr().contains(ejected));
                ejectedMillis = (System.nanoTime() - signalled) / 1_000_000;
                Status out = sandbox.status();
                assertEquals("UNHEALTHY", ProxyStatus.backend(out, "web:1"), out::json);
                long answered = paced.ok();
                sandbox.await("50 paced GETs answered while web:1 is out", () -> paced.ok() >= answered + 50
                        || !paced.failures().isEmpty());
            } finally {
                Procs.signal(stopped, "CONT");
            }
            sandbox.awaitStatus("web:1 HEALTHY again after SIGCONT", s -> ProxyStatus.healthy(s, "web", 2)
                    && s.worker("web:1").pid() == stopped);
        } finally {
            paced.stop();
        }

        long took = ejectedMillis;
        assertAll(paced + "\n" + daemon.proxyLog(),
                () -> assertTrue(took < 8000, "web:1 was UNHEALTHY " + took + " ms after its SIGSTOP (health_interval"
                        + " 2s, health_timeout 1s, health_fall 3): within 8 s"),
                () -> assertEquals(List.of(), paced.failures(), "failed GETs"),
                () -> assertEquals(0, paced.count(Paced.Outcome.REFUSED), "refused connections"),
                () -> assertTrue(daemon.stderr().contains("web: backend web:1 [gen 1] UNHEALTHY -> HEALTHY"),
                        daemon::tail));
    }

    /**
     * web:1 answers every GET with a head announcing 100 bytes, sends 10 and closes. Health checks pass (they are
     * answered well), so only passive checks can eject it; health_interval 30 s keeps it out for the whole test.
     */
    @Test
    void workerThatCutsItsAnswersShortIsEjectedAfterHealthFallFailedRequestsAndGetsNoMore() {
        Daemon daemon = sandbox.startProxied(port, 2, """
                max_inflight = 1
                health_interval = "30s"
                replace_unhealthy_after = 0
                environment = { TRUNCATE_WORKER = "1" }
                """);
        String ejected = "web: backend web:1 [gen 1] HEALTHY -> UNHEALTHY: 3 requests in a row failed: ";

        Paced before = Paced.start(port, "/", 100, Duration.ofSeconds(30));
        try {
            sandbox.await("web:1 ejected by passive checks", () -> daemon.stderr().contains(ejected));
        } finally {
            before.stop();
        }
        Status out = sandbox.status();
        Paced after = Paced.start(port, "/", 100, Duration.ofSeconds(2)).finish();

        assertAll(before + "\nthen: " + after + "\n" + daemon.tail(),
                () -> assertEquals("UNHEALTHY", ProxyStatus.backend(out, "web:1"), out::json),
                () -> assertEquals("HEALTHY", ProxyStatus.backend(out, "web:0"), out::json),
                () -> assertTrue(before.failures().size() <= 3 + 2, "at most health_fall (3) and a few GETs"
                        + " already sent to web:1 failed before it was ejected"),
                () -> assertEquals(200, after.results().size(), "all 200 later GETs ended"),
                () -> assertEquals(200, after.ok(), "no GET fails once web:1 is ejected"),
                () -> assertTrue(before.failures().stream().allMatch(f -> f.contains("closed after 10 of 100")),
                        "the failures were the cut answers"));
    }

    /** The daemon's warnings, and its lines about requests and worker exits: what Baton saw of a failed GET. */

}
