package dev.baton.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Paced load through a load balancer from inside its network namespace: fixtures/fleet_load.py, run with
 * {@code ip netns exec} (a JVM cannot send from another namespace). {@link #report()} reads what it has counted so
 * far; {@link #stop()} makes it finish its requests in flight and answers the final counts.
 */
final class FleetLoad {

    /** What one worker (by pid) behind one server answered: its generation, how many, first and last (epoch ms). */
    record Seen(String generation, long count, long firstMillis, long lastMillis) {
    }

    /** The load's counts; {@code servers}: the X-Server that answered, then the worker's pid. */
    record Report(boolean done, long sent, long ok, long failed, List<String> failures,
                  Map<String, Map<String, Seen>> servers) {

        static final Report NONE = new Report(false, 0, 0, 0, List.of(), Map.of());

        /** The workers of {@code server} that answered, by pid. */
        Map<String, Seen> of(String server) {
            return servers.getOrDefault(server, Map.of());
        }

        /** How many requests {@code server} answered. */
        long answeredBy(String server) {
            return of(server).values().stream().mapToLong(Seen::count).sum();
        }

        /** True when a worker of {@code generation} on {@code server} first answered at or after {@code millis}. */
        boolean newWorkerAnswered(String server, String generation, long millis) {
            return of(server).values().stream()
                    .anyMatch(s -> s.generation().equals(generation) && s.firstMillis() >= millis);
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("--- load through haproxy: %d sent, %d answered 200, %d failed%s"
                    .formatted(sent, ok, failed, done ? "" : " so far"));
            servers.forEach((server, workers) -> workers.forEach((pid, s) -> out.append(
                    "\n  %s pid %s generation %s: %d answers".formatted(server, pid, s.generation(), s.count()))));
            failures.forEach(f -> out.append("\n  failed ").append(f));
            return out.toString();
        }
    }

    private final Process process;
    private final Path dir;

    private FleetLoad(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /** Starts {@code perSecond} GETs a second of {@code url} from {@code namespace}, for at most {@code seconds}. */
    static FleetLoad start(Path dir, String namespace, String url, int perSecond, int seconds) {
        try (InputStream in = FleetLoad.class.getResourceAsStream("/fixtures/fleet_load.py")) {
            if (in == null) {
                fail("fixtures/fleet_load.py is not on the test classpath");
            }
            Files.copy(in, dir.resolve("fleet_load.py"), StandardCopyOption.REPLACE_EXISTING);
            List<String> command = new ArrayList<>(Netns.exec(namespace));
            command.addAll(List.of("python3", dir.resolve("fleet_load.py").toString(), "--url", url,
                    "--rate", String.valueOf(perSecond), "--seconds", String.valueOf(seconds),
                    "--stop", dir.resolve("stop").toString(), "--report", dir.resolve("report.json").toString()));
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("load.out").toFile()).start();
            return new FleetLoad(process, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start fleet_load.py", e);
        }
    }

    /** The counts so far (the final ones once it stopped); {@link Report#NONE} before the first report. */
    Report report() {
        String text = Sandbox.read(dir.resolve("report.json"));
        return text.isEmpty() ? Report.NONE : parse(Json.object(text));
    }

    /** Stops sending, waits until every request in flight has ended and answers the final counts. */
    Report stop() {
        try {
            Files.writeString(dir.resolve("stop"), "");
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("fleet_load.py did not finish within 40 s of its stop file\n" + report() + "\n" + output());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping the load", e);
        }
        Report last = report();
        if (process.exitValue() != 0 || !last.done()) {
            fail("fleet_load.py exited " + process.exitValue() + " without its final report\n" + output());
        }
        return last;
    }

    /** Kills the load generator if it still runs (cleanup after a failure). */
    void kill() {
        process.destroyForcibly();
    }

    private String output() {
        return "--- fleet_load.py output:\n" + Sandbox.read(dir.resolve("load.out"));
    }

    @SuppressWarnings("unchecked")
    private static Report parse(Map<String, Object> json) {
        Map<String, Map<String, Seen>> servers = new java.util.TreeMap<>();
        ((Map<String, Object>) json.get("servers")).forEach((server, workers) -> {
            Map<String, Seen> byPid = new java.util.TreeMap<>();
            ((Map<String, Object>) workers).forEach((pid, seen) -> {
                Map<String, Object> s = (Map<String, Object>) seen;
                byPid.put(pid, new Seen(String.valueOf(s.get("generation")), number(s.get("count")).longValue(),
                        Math.round(number(s.get("first")).doubleValue() * 1000),
                        Math.round(number(s.get("last")).doubleValue() * 1000)));
            });
            servers.put(server, byPid);
        });
        return new Report(Boolean.TRUE.equals(json.get("done")), number(json.get("sent")).longValue(),
                number(json.get("ok")).longValue(), number(json.get("failed")).longValue(),
                ((List<Object>) json.get("failures")).stream().map(String::valueOf).toList(), servers);
    }

    private static Number number(Object value) {
        return (Number) value;
    }
}
