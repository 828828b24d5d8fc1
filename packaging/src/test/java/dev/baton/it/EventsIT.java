package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code [baton] event_command}: the real daemon runs the command once per event with the event as one JSON line on
 * its standard input. Most tests record every line in {@code events.jsonl}; the last runs the documented example,
 * conf/examples/events/crash-webhook.sh, against a webhook served by this test on 127.0.0.1.
 */
class EventsIT {

    /** Appends each event's line to events.jsonl, in the configuration's folder (the command's working folder). */
    private static final String RECORD = "event_command = \"sh -c 'cat >> events.jsonl'\"";

    private static final String WEB = """
            [program.web]
            command = "python3 worker.py"
            numprocs = 2
            """;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void workerKilledWithSigkillMakesAnExitedEventWithSignal9AndItsPidThenARestartedOne() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig(RECORD, WEB);
        Daemon daemon = sandbox.startDaemon();
        Map<String, Object> started = awaitEvent("daemon_started", e -> true);
        Status before = sandbox.awaitRunning("web", 2);
        long victim = before.worker("web:0").pid();

        assertTrue(Procs.signal(victim, "KILL"));

        Map<String, Object> exited = awaitEvent("exited", e -> "web:0".equals(e.get("worker")));
        Map<String, Object> restarted = awaitEvent("restarted", e -> "web:0".equals(e.get("worker")));
        Status after = sandbox.awaitStatus("web:0 RUNNING again with a new pid", s -> s.running("web", 2)
                && s.worker("web:0").pid() != victim);
        assertAll(
                () -> assertEquals(daemon.pid(), number(started, "pid")),
                () -> assertEquals("web", exited.get("program")),
                () -> assertEquals(1L, exited.get("generation")),
                () -> assertEquals(victim, number(exited, "pid")),
                () -> assertEquals("EXITED", exited.get("state")),
                () -> assertEquals("signal 9 (KILL)", exited.get("exit_status")),
                () -> assertTrue(((String) exited.get("reason")).startsWith("killed by SIGKILL; restarting in"),
                        exited::toString),
                () -> assertTrue(((String) exited.get("message")).startsWith("web:0 [gen 1] RUNNING -> EXITED pid "
                        + victim + ": killed by SIGKILL"), exited::toString),
                () -> assertTrue(((String) exited.get("time")).matches(
                        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), exited::toString),
                () -> assertEquals(after.worker("web:0").pid(), number(restarted, "pid")),
                () -> assertEquals("STARTING", restarted.get("state")),
                () -> assertEquals(List.of("daemon_started", "exited", "restarted"), names(events())));
    }

    @Test
    void plannedStopsMakeNoWorkerEventAndShutdownDeliversDaemonStoppingAndStoppedBeforeBatonExits() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig(RECORD, WEB);
        sandbox.startDaemon();
        sandbox.awaitRunning("web", 2);
        awaitEvent("daemon_started", e -> true);

        Cli.Result stop = sandbox.baton("stop", "web:1");
        assertEquals(0, stop.exit(), stop::toString);
        Cli.Result shutdown = sandbox.baton("shutdown");
        assertEquals(0, shutdown.exit(), shutdown::toString);

        List<Map<String, Object>> events = events(); // baton shutdown waited for the daemon's exit
        assertEquals(List.of("daemon_started", "daemon_stopping", "daemon_stopped"), names(events));
        assertEquals("shutdown requested over the control socket", events.get(1).get("reason"));
        assertEquals("baton stopped", events.get(2).get("message"));
    }

    @Test
    void reloadMakesReloadStartedThenReloadedAndABrokenDeployRolledBack() {
        sandbox.copyWorkerFixture();
        sandbox.writeConfig(RECORD, WEB);
        sandbox.startDaemon();
        sandbox.awaitRunning("web", 2);

        Cli.Result reload = sandbox.baton("reload");
        assertEquals(0, reload.exit(), () -> reload + "\n" + sandbox.context());
        Map<String, Object> reloaded = awaitEvent("reloaded", e -> true);
        // startsecs: on a loaded machine Python may take over a second to start (and then exit at once)
        sandbox.writeConfig(RECORD, WEB.replace("worker.py", "worker.py --exit 1") + "startsecs = 10\n");
        Cli.Result broken = sandbox.baton("reload");
        assertEquals(1, broken.exit(), () -> broken + "\n" + sandbox.context());
        Map<String, Object> rolledBack = awaitEvent("rolled_back", e -> true);

        List<Map<String, Object>> starts = events().stream().filter(e -> "reload_started".equals(e.get("event")))
                .toList();
        assertAll(
                () -> assertEquals(List.of(2L, 3L), starts.stream().map(e -> e.get("generation")).toList()),
                () -> assertEquals("web: reloading to generation 2 (surge, 2 workers)", starts.get(0).get("message")),
                () -> assertEquals("web", reloaded.get("program")),
                () -> assertEquals(2L, reloaded.get("generation")),
                () -> assertEquals("reloaded", reloaded.get("reason")),
                () -> assertEquals("web: reloaded to generation 2", reloaded.get("message")),
                () -> assertEquals(2L, rolledBack.get("generation"), "generation 2 keeps serving"),
                () -> assertTrue(String.valueOf(rolledBack.get("worker")).matches("web:[01]"), rolledBack::toString),
                () -> assertTrue(((String) rolledBack.get("reason")).contains(
                        "exited too quickly: exited with status 1"), rolledBack::toString),
                () -> assertTrue(((String) rolledBack.get("message")).endsWith(
                        "rolled back, generation 2 keeps serving"), rolledBack::toString));
    }

    @Test
    void crashWebhookExamplePostsTheKilledWorkersExitedEventAndNothingElse() throws IOException {
        List<String> posts = Collections.synchronizedList(new ArrayList<>());
        HttpServer webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            posts.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type")
                    + " " + body);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
        try {
            sandbox.copyWorkerFixture();
            Files.copy(Cli.EXAMPLES.resolve("events/crash-webhook.sh"), sandbox.dir().resolve("crash-webhook.sh"),
                    StandardCopyOption.REPLACE_EXISTING);
            sandbox.daemonEnvironment("WEBHOOK_URL", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook");
            sandbox.daemonEnvironment("no_proxy", "127.0.0.1");
            sandbox.writeConfig("event_command = \"sh crash-webhook.sh\"", """
                    [program.web]
                    command = "python3 worker.py"
                    """);
            sandbox.startDaemon();
            long victim = sandbox.awaitRunning("web", 1).worker("web:0").pid();

            assertTrue(Procs.signal(victim, "KILL"));

            sandbox.await("the webhook to get a post", () -> !posts.isEmpty());
            sandbox.awaitStatus("web:0 RUNNING again", s -> s.running("web", 1) && s.worker("web:0").pid() != victim);
            Cli.Result shutdown = sandbox.baton("shutdown"); // every later event has gone through the script
            assertEquals(0, shutdown.exit(), shutdown::toString);
            assertEquals(1, posts.size(), posts::toString);
            String post = posts.get(0);
            String prefix = "POST application/json ";
            assertTrue(post.startsWith(prefix), post);
            Map<String, Object> event = Json.object(post.substring(prefix.length()).strip());
            assertAll(
                    () -> assertEquals("exited", event.get("event")),
                    () -> assertEquals(victim, number(event, "pid")),
                    () -> assertEquals("signal 9 (KILL)", event.get("exit_status")),
                    () -> assertNotEquals(null, event.get("time")));
        } finally {
            webhook.stop(0);
        }
    }

    /** The events recorded so far, oldest first; a line still being written is left out. */
    private List<Map<String, Object>> events() {
        String text = Sandbox.read(sandbox.dir().resolve("events.jsonl"));
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : text.substring(0, end).lines().map(Json::object).toList();
    }

    /** Waits for an event named {@code name} that satisfies {@code which}; answers the first. */
    private Map<String, Object> awaitEvent(String name, Predicate<Map<String, Object>> which) {
        return sandbox.await("a " + name + " event in events.jsonl", this::events,
                events -> events.stream().anyMatch(e -> name.equals(e.get("event")) && which.test(e)))
                .stream().filter(e -> name.equals(e.get("event")) && which.test(e)).findFirst().orElseThrow();
    }

    private static List<Object> names(List<Map<String, Object>> events) {
        return events.stream().map(e -> e.get("event")).toList();
    }

    private static long number(Map<String, Object> event, String key) {
        Object value = event.get(key);
        if (!(value instanceof Number n)) {
            throw new AssertionError(key + " is not a number in " + event);
        }
        return n.longValue();
    }
}
