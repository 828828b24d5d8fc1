package dev.baton.supervisor.events;

import dev.baton.supervisor.control.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link EventRunner} running real commands: small shell scripts that append what they read to a file. */
class EventRunnerTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong clock = new AtomicLong(5_000_000);
    private EventRunner runner;

    @AfterEach
    void tearDown() {
        if (runner != null) {
            runner.close(Duration.ofSeconds(1));
        }
    }

    @Test
    void eachEventReachesTheCommandAsOneJsonLineOnItsStdinInOrderInItsFolder() throws IOException {
        hook("""
                cat >> events.jsonl
                echo "$BATON_EVENT $(pwd)" >> env.txt
                """);
        runner = runner(10, Duration.ofSeconds(20));

        runner.emit(Event.daemon(Event.Type.DAEMON_STARTED, 4242, null, "baton started", 0));
        runner.emit(new Event(Event.time(1_000), "exited", "web", "web:1", 3, 777, "EXITED", "killed by SIGKILL",
                "signal 9 (KILL)", "web:1 [gen 3] RUNNING -> EXITED pid 777: killed by SIGKILL \"quoted\"\n"));
        runner.emit(Event.daemon(Event.Type.DAEMON_STOPPING, 4242, "SIGTERM", "shutting down", 0));

        List<String> lines = awaitLines("events.jsonl", 3);
        assertEquals("{\"time\":\"1970-01-01T00:00:00.000Z\",\"event\":\"daemon_started\",\"program\":null,"
                + "\"worker\":null,\"generation\":null,\"pid\":4242,\"state\":null,\"reason\":null,"
                + "\"exit_status\":null,\"message\":\"baton started\"}", lines.get(0));
        Map<?, ?> exited = (Map<?, ?>) Json.parse(lines.get(1));
        assertEquals(List.of("time", "event", "program", "worker", "generation", "pid", "state", "reason",
                "exit_status", "message"), List.copyOf(exited.keySet()));
        assertEquals("1970-01-01T00:00:01.000Z", exited.get("time"));
        assertEquals(777L, exited.get("pid"));
        assertEquals("signal 9 (KILL)", exited.get("exit_status"));
        assertEquals("web:1 [gen 3] RUNNING -> EXITED pid 777: killed by SIGKILL \"quoted\"\n", exited.get("message"));
        assertEquals("daemon_stopping", ((Map<?, ?>) Json.parse(lines.get(2))).get("event"));
        String realDir = dir.toRealPath().toString();
        // the hook writes env.txt after its cat ends: the last line may come after events.jsonl has 3
        assertEquals(List.of("daemon_started " + realDir, "exited " + realDir, "daemon_stopping " + realDir),
                awaitLines("env.txt", 3));
        assertEquals(List.of(), warnings);
    }

    @Test
    void eventsBeyondTheQueueAreDroppedWithoutBlockingAndTheirCountIsLogged() {
        hook("""
                cat >> events.jsonl
                if [ "$BATON_EVENT" = daemon_started ]; then
                    while [ ! -e gate ]; do sleep 0.02; done
                fi
                """);
        runner = runner(2, Duration.ofSeconds(20));
        runner.emit(Event.daemon(Event.Type.DAEMON_STARTED, 1, null, "first", 0));
        awaitLines("events.jsonl", 1); // the command runs, and waits for the gate

        long before = System.nanoTime();
        for (int i = 1; i <= 9; i++) {
            runner.emit(Event.daemon(Event.Type.DAEMON_STOPPING, 1, null, "event " + i, 0));
        }
        long emitMillis = (System.nanoTime() - before) / 1_000_000;
        write("gate", "");

        List<String> lines = awaitLines("events.jsonl", 3);
        await("3 runs", () -> runner.runs() == 3);
        await("the drop report", () -> !warnings.isEmpty());
        assertTrue(emitMillis < 1_000, "emitting 9 events took " + emitMillis + " ms");
        assertEquals(List.of("first", "event 1", "event 2"),
                lines.stream().map(l -> ((Map<?, ?>) Json.parse(l)).get("message")).toList());
        assertEquals(List.of("event_command: 7 events dropped: the command did not keep up and the queue was full"),
                warnings);
    }

    @Test
    void aFailingCommandIsLoggedAtOnceThenAtMostOncePerIntervalWithTheCountSince() {
        hook("""
                echo "webhook said no" >&2
                exit 7
                """);
        runner = runner(10, Duration.ofSeconds(20));
        for (int i = 0; i < 5; i++) {
            runner.emit(Event.daemon(Event.Type.DAEMON_STARTED, 1, null, "try " + i, 0));
        }
        await("5 runs", () -> runner.runs() == 5);
        assertEquals(List.of("event_command: failed: event daemon_started: exited with status 7;"
                + " last output: webhook said no"), warnings);

        clock.addAndGet(59_999);
        runner.emit(Event.daemon(Event.Type.DAEMON_STARTED, 1, null, "one more", 0));
        await("6 runs", () -> runner.runs() == 6);
        assertEquals(1, warnings.size(), warnings::toString);

        clock.addAndGet(1);
        runner.emit(new Event(null, "fatal", "web", "web:0", 1, null, "FATAL", null, null, "web:0 gave up"));
        await("7 runs", () -> runner.runs() == 7);
        assertEquals(List.of("event_command: failed: event daemon_started: exited with status 7;"
                        + " last output: webhook said no",
                "event_command: failed 6 times since the last report, the last: event fatal of web:0:"
                        + " exited with status 7; last output: webhook said no"), warnings);
    }

    @Test
    void aCommandStillRunningAfterTheTimeoutIsKilledWithItsChildrenAndTheNextEventRuns() {
        hook("""
                line=$(cat)
                if [ "$BATON_EVENT" = daemon_stopping ]; then
                    sleep 60 &
                    echo $! > child.pid
                    wait
                fi
                echo "$line" >> events.jsonl
                """);
        runner = runner(10, Duration.ofMillis(1_000));
        runner.emit(Event.daemon(Event.Type.DAEMON_STOPPING, 1, null, "hangs", 0));
        runner.emit(Event.daemon(Event.Type.DAEMON_STOPPED, 1, null, "next", 0));

        List<String> lines = awaitLines("events.jsonl", 1);
        assertTrue(lines.get(0).contains("\"event\":\"daemon_stopped\""), lines::toString);
        long child = Long.parseLong(read("child.pid").strip());
        await("the command's child " + child + " to be killed", () -> !alive(child));
        await("the failure report", () -> !warnings.isEmpty());
        assertEquals(List.of("event_command: failed: event daemon_stopping: still running after 1.0s (the timeout):"
                + " killed"), warnings);
    }

    @Test
    void aCommandThatCannotStartIsLoggedWithTheReason() {
        runner = new EventRunner(List.of("./no-such-hook"), dir, System.getenv(), dir.resolve("out.log"), 10,
                Duration.ofSeconds(20), Duration.ofMinutes(1), clock::get, warnings::add);
        runner.emit(Event.daemon(Event.Type.DAEMON_STARTED, 1, null, "hello", 0));

        await("1 run", () -> runner.runs() == 1);
        await("the failure report", () -> !warnings.isEmpty()); // counted before it is logged
        assertEquals(List.of("event_command: failed: event daemon_started: cannot start: command not found: "
                + dir.resolve("no-such-hook")), warnings);
    }

    @Test
    void closeDeliversTheQueuedEventsBeforeItReturns() {
        hook("""
                sleep 0.2
                cat >> events.jsonl
                """);
        runner = runner(10, Duration.ofSeconds(20));
        for (int i = 0; i < 3; i++) {
            runner.emit(Event.daemon(Event.Type.DAEMON_STOPPING, 1, null, "event " + i, 0));
        }
        runner.emit(Event.daemon(Event.Type.DAEMON_STOPPED, 1, null, "last", 0));

        runner.close(PATIENCE);

        List<String> lines = read("events.jsonl").lines().toList();
        assertEquals(4, lines.size(), lines::toString);
        assertTrue(lines.get(3).contains("\"event\":\"daemon_stopped\""), lines::toString);
        runner.emit(Event.daemon(Event.Type.DAEMON_STARTED, 1, null, "after close", 0));
        assertEquals(4, runner.runs());
        assertEquals(List.of(), warnings);
    }

    @Test
    void closeGivesUpAfterItsWaitKillsTheCommandAndCountsWhatWasNotDelivered() {
        hook("""
                sleep 60 &
                echo $! > child.pid
                wait
                """);
        runner = runner(10, Duration.ofSeconds(60));
        for (int i = 0; i < 3; i++) {
            runner.emit(Event.daemon(Event.Type.DAEMON_STOPPING, 1, null, "event " + i, 0));
        }
        await("the first run to start", () -> !read("child.pid").isBlank());

        long before = System.nanoTime();
        runner.close(Duration.ofSeconds(1));
        long closeMillis = (System.nanoTime() - before) / 1_000_000;

        assertTrue(closeMillis < 10_000, "close took " + closeMillis + " ms");
        long child = Long.parseLong(read("child.pid").strip());
        await("the command's child " + child + " to be killed", () -> !alive(child));
        assertEquals(List.of("event_command: 3 events not delivered: Baton waits at most 1s for them as it exits"),
                warnings);
    }

    private EventRunner runner(int capacity, Duration timeout) {
        return new EventRunner(List.of("./hook"), dir, System.getenv(), dir.resolve("logs/event_command.log"),
                capacity, timeout, Duration.ofMinutes(1), clock::get, warnings::add);
    }

    /** Writes the executable {@code ./hook}: a shell script with {@code body}. */
    private void hook(String body) {
        Path hook = dir.resolve("hook");
        write("hook", "#!/bin/sh\n" + body);
        try {
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String name, String text) {
        try {
            Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String read(String name) {
        try {
            Path file = dir.resolve(name);
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private List<String> awaitLines(String file, int count) {
        await(count + " lines in " + file, () -> read(file).lines().count() >= count);
        return read(file).lines().toList();
    }

    /** True while {@code pid} runs; a zombie (an init that does not reap) counts as gone. */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + PATIENCE.toSeconds() + " s waiting for " + what
                        + "; warnings: " + warnings);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
