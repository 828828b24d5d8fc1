package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Canary reloads of real workers under real load: a version answering 500 to every second request is rolled back
 * by itself ({@code baton reload} exit 1, the comparison shown, the old version serving), a good version is promoted
 * and the reload goes on, a canary that crashes is rolled back with its last lines.
 */
class CanaryIT {

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    /** fixtures/proxied.py as program web, 4 workers, with these keys (a new environment is a new version). */
    private void configure(String keys) {
        sandbox.writeConfig("""
                [program.web]
                command = "python3 proxied.py --port {port}"
                numprocs = 4
                listen = "127.0.0.1:%d"
                health_check = "/healthz"
                %s
                """.formatted(port, keys));
    }

    private Daemon start(String keys) {
        sandbox.copyFixture("proxied.py");
        configure(keys);
        Daemon daemon = sandbox.startDaemon();
        sandbox.awaitStatus("4 web workers HEALTHY", s -> ProxyStatus.healthy(s, "web", 4));
        return daemon;
    }

    @Test
    void versionAnswering500ToHalfItsRequestsIsRolledBackByItselfAndTheOldVersionServes() {
        String canary = "reload_strategy = \"canary\"\ncanary_weight = 20\n";
        Daemon daemon = start(canary);
        Paced paced = Paced.start(port, "/", 50, Duration.ofSeconds(180));
        Cli.Result reload;
        try {
            sandbox.await("50 GETs before the deploy", () -> paced.ok() >= 50 || !paced.failures().isEmpty());
            configure(canary + "environment = { FAIL_EVERY = \"2\" }");
            reload = sandbox.baton("reload");
            long answered = paced.ok();
            sandbox.await("50 GETs after the rollback", () -> paced.ok() >= answered + 50);
        } finally {
            paced.stop();
        }
        Status after = sandbox.status();
        List<String> failed = paced.failures();
        Cli.Result result = reload;
        assertAll(result + "\n" + paced + "\n" + daemon.tail(),
                () -> assertEquals(1, result.exit(), "baton reload exits 1"),
                () -> assertTrue(result.err().contains("canary: its error share "), "why, on stderr"),
                () -> assertTrue(result.err().matches("(?s).*canary web:0 \\[gen 2\\] +\\d+ +\\d+ .*"),
                        "the comparison table"),
                () -> assertTrue(result.err().contains("rolled back, generation 1 keeps serving"), "the outcome"),
                () -> assertEquals(List.of(1), after.generations("web"), after::toString),
                () -> assertTrue(failed.stream().allMatch(f -> f.contains(": HTTP/1.1 500 Internal Server Error: broken")),
                        "only the canary's own 500s failed: " + failed),
                () -> assertTrue(!failed.isEmpty(), "the canary's 500s reached clients: its errors are real"),
                () -> assertTrue(failed.size() * 10 < paced.results().size(), "the bad version saw a share of"
                        + " the requests, not all: " + failed.size() + " of " + paced.results().size()));
    }

    @Test
    void goodVersionIsPromotedAfterCanaryDurationAndEveryWorkerMovesWithoutAFailedRequest() {
        Daemon daemon = start("canary_duration = \"5s\"");
        Paced paced = Paced.start(port, "/", 50, Duration.ofSeconds(180));
        Cli.Result reload;
        try {
            sandbox.await("50 GETs before the deploy", () -> paced.ok() >= 50 || !paced.failures().isEmpty());
            configure("canary_duration = \"5s\"\nenvironment = { RELEASE = \"2\" }");
            reload = sandbox.baton("reload", "--canary");
            long answered = paced.ok();
            sandbox.await("50 GETs after the reload", () -> paced.ok() >= answered + 50
                    || !paced.failures().isEmpty());
        } finally {
            paced.stop();
        }
        Status after = sandbox.status();
        Cli.Result result = reload;
        assertAll(result + "\n" + paced + "\n" + daemon.tail(),
                () -> assertEquals(0, result.exit()),
                () -> assertTrue(result.out().contains("canary: gets 10% of web's requests for 5.0s"), "progress"),
                () -> assertTrue(result.out().contains("canary promoted; starting the other 3 workers"), "promoted"),
                () -> assertTrue(result.out().contains("web: reloaded to generation 2"), "reloaded"),
                () -> assertEquals(List.of(2), after.generations("web"), after::toString),
                () -> assertEquals(List.of(), paced.failures(), "failed requests"));
    }

    @Test
    void canaryThatCrashesIsRolledBackWithItsLastLinesWithoutAFailedGet() {
        Daemon daemon = start("reload_strategy = \"canary\"\ncanary_weight = 50\n");
        Paced paced = Paced.start(port, "/", 50, Duration.ofSeconds(180));
        Cli.Result reload;
        try {
            sandbox.await("50 GETs before the deploy", () -> paced.ok() >= 50 || !paced.failures().isEmpty());
            configure("reload_strategy = \"canary\"\ncanary_weight = 50\n"
                    + "environment = { EXIT_AFTER_REQUESTS = \"5\" }");
            reload = sandbox.baton("reload");
            long answered = paced.ok();
            sandbox.await("50 GETs after the rollback", () -> paced.ok() >= answered + 50
                    || !paced.failures().isEmpty());
        } finally {
            paced.stop();
        }
        Status after = sandbox.status();
        Cli.Result result = reload;
        assertAll(result + "\n" + paced + "\n" + daemon.tail(),
                () -> assertEquals(1, result.exit()),
                () -> assertTrue(result.err().contains("web:0 [gen 2] failed: exited too quickly"), "why"),
                () -> assertTrue(result.err().contains("exiting with status 4 after 5 requests"), "its last lines"),
                () -> assertTrue(result.err().contains("canary web:0 [gen 2]"), "the comparison so far"),
                () -> assertEquals(List.of(1), after.generations("web"), after::toString),
                () -> assertEquals(List.of(), paced.failures(), "failed GETs (the cut one goes again)"));
    }
}
