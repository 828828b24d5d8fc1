package dev.baton.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's world: a short folder under /tmp holding {@code baton.toml}, the fixtures, the control socket and the
 * logs; the daemons started from it; the CLI run against it. Register with {@code @RegisterExtension}.
 *
 * <p>After each test every daemon still running is shut down with {@code baton shutdown}; if that fails it is
 * SIGKILLed along with its worker groups. Any process still working in the folder is then killed, and if a
 * graceful shutdown left one behind the test fails: no process leaks from one test into the next.
 */
final class Sandbox implements BeforeEachCallback, AfterEachCallback {

    /** Longest any single wait may take before the test fails with what it was waiting for. */
    static final Duration PATIENCE = Duration.ofSeconds(20);

    static final String HEADER = """
            [baton]
            socket = "baton.sock"
            log_dir = "logs"

            """;

    private Path dir;
    private final List<Daemon> daemons = new ArrayList<>();
    /** Added to the environment of the daemons started from now on. */
    private final java.util.Map<String, String> daemonEnv = new java.util.HashMap<>();
    private List<String> daemonPrefix = List.of();

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "bit").toRealPath();
        daemons.clear();
        daemonEnv.clear();
        daemonPrefix = List.of();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Daemon daemon : daemons) {
            if (daemon.alive()) {
                stopAtTheEnd(daemon, problems);
            }
        }
        List<Long> leftovers = Procs.runningIn(dir);
        leftovers.forEach(pid -> Procs.signal(pid, "KILL"));
        if (!leftovers.isEmpty() && problems.isEmpty()) {
            problems.add("processes still running in " + dir + " after the test: " + leftovers);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    private void stopAtTheEnd(Daemon daemon, List<String> problems) {
        Set<Long> family = new LinkedHashSet<>(daemon.descendants());
        Cli.Result shutdown = Cli.run(dir, "shutdown", "-c", config().toString(), "--timeout", "6");
        boolean exited = false;
        if (shutdown.exit() == 0) {
            try {
                daemon.awaitExit(Duration.ofSeconds(5));
                exited = true;
            } catch (AssertionError e) {
                // reported below
            }
        }
        if (!exited) {
            problems.add("cleanup: baton shutdown did not stop the daemon\n" + shutdown + "\n" + daemon.tail());
            daemon.kill();
        }
        for (long pid : family) {
            if (Procs.alive(pid)) {
                Procs.signalGroup(Procs.pgid(pid), "KILL");
                Procs.signal(pid, "KILL");
                problems.add("cleanup: pid " + pid + " was still running after its daemon ended");
            }
        }
    }

    // ---- files ----------------------------------------------------------------------------------------------

    Path dir() {
        return dir;
    }

    Path config() {
        return dir.resolve("baton.toml");
    }

    Path socket() {
        return dir.resolve("baton.sock");
    }

    /** {@code logs/web-0.out.log} for ("web", 0, "out"). */
    Path logFile(String program, int index, String stream) {
        return dir.resolve("logs").resolve(program + "-" + index + "." + stream + ".log");
    }

    /** Writes {@code baton.toml}: the usual {@code [baton]} table (socket, logs here) and then {@code programs}. */
    void writeConfig(String programs) {
        write("baton.toml", HEADER + programs);
    }

    /** Writes {@code baton.toml}: the usual {@code [baton]} table plus {@code batonKeys}, then {@code programs}. */
    void writeConfig(String batonKeys, String programs) {
        write("baton.toml", HEADER.strip() + "\n" + batonKeys.strip() + "\n\n" + programs);
    }

    void write(String name, String content) {
        try {
            Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies src/test/resources/fixtures/worker.py into the folder. */
    void copyWorkerFixture() {
        copyFixture("worker.py");
    }

    /** Copies src/test/resources/fixtures/{@code name} into the folder. */
    void copyFixture(String name) {
        try (InputStream in = Sandbox.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                fail("fixtures/" + name + " is not on the test classpath");
            }
            Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the demo app as program {@code web}: 4 workers behind Baton's proxy on 127.0.0.1:{@code port}, no
     * per-worker request limit; answers the status once all 4 are RUNNING and HEALTHY.
     */
    Status startProxiedDemo(int port) {
        copyDemoApp();
        writeConfig("""
                [program.web]
                command = "python3 app.py --port {port}"
                numprocs = 4
                listen = "127.0.0.1:%d"
                health_check = "/healthz"
                max_inflight = 0
                """.formatted(port));
        startDaemon();
        return awaitStatus("4 web workers RUNNING and HEALTHY", s -> ProxyStatus.healthy(s, "web", 4));
    }

    /**
     * Runs fixtures/proxied.py as program {@code web}: {@code numprocs} workers behind Baton's proxy on
     * 127.0.0.1:{@code port}, with the {@code extra} keys; answers the daemon once every worker is HEALTHY.
     */
    Daemon startProxied(int port, int numprocs, String extra) {
        copyFixture("proxied.py");
        writeConfig("""
                [program.web]
                command = "python3 proxied.py --port {port}"
                numprocs = %d
                listen = "127.0.0.1:%d"
                health_check = "/healthz"
                %s
                """.formatted(numprocs, port, extra));
        Daemon daemon = startDaemon();
        awaitStatus(numprocs + " web workers HEALTHY", s -> ProxyStatus.healthy(s, "web", numprocs));
        return daemon;
    }

    /** Copies the demo HTTP app (conf/examples/demo/app.py) into the folder. */
    void copyDemoApp() {
        try {
            Files.copy(Cli.EXAMPLES.resolve("demo/app.py"), dir.resolve("app.py"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file's text (invalid UTF-8 shown as U+FFFD); empty when it does not exist. */
    static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    // ---- daemon and CLI -------------------------------------------------------------------------------------

    /** Starts {@code baton run -c baton.toml} and waits until its control socket answers. */
    Daemon startDaemon() {
        Daemon daemon = spawnDaemon();
        await("baton run to open its control socket " + socket(), () -> {
            if (!daemon.alive()) {
                fail("baton run exited early\n" + daemon.tail());
            }
            return reachable();
        });
        return daemon;
    }

    /** True when {@code pid} is a daemon this sandbox started (and so stops after the test). */
    boolean started(long pid) {
        return daemons.stream().anyMatch(d -> d.pid() == pid);
    }

    /** Sets {@code name=value} in the environment of the daemons started from now on. */
    void daemonEnvironment(String name, String value) {
        daemonEnv.put(name, value);
    }

    /** Runs the daemons started from now on through {@code words} (e.g. {@code nohup}). */
    void daemonPrefix(String... words) {
        daemonPrefix = List.of(words);
    }

    /** Starts {@code baton run -c baton.toml} without waiting for anything. */
    Daemon spawnDaemon() {
        int n = daemons.size() + 1;
        Process process = Cli.spawn(dir, daemonEnv, daemonPrefix, dir.resolve("daemon-" + n + ".out"),
                dir.resolve("daemon-" + n + ".err"), "run", "-c", config().toString());
        Daemon daemon = new Daemon(process, dir.resolve("daemon-" + n + ".out"), dir.resolve("daemon-" + n + ".err"));
        daemons.add(daemon);
        return daemon;
    }

    /** Runs {@code baton COMMAND -c baton.toml ARGS...}. */
    Cli.Result baton(String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "-c", config().toString()));
        all.addAll(List.of(args));
        return Cli.run(dir, all.toArray(String[]::new));
    }

    /** {@code baton status --json}; fails unless it exits 0 or 3. */
    Status status() {
        Cli.Result result = baton("status", "--json");
        if (result.exit() != 0 && result.exit() != 3) {
            fail("baton status --json failed\n" + result + "\n" + context());
        }
        return Status.parse(result);
    }

    /** Polls {@code baton status} until {@code ok} holds; answers that status. */
    Status awaitStatus(String what, Predicate<Status> ok) {
        return await(what, this::status, ok);
    }

    /** Waits until {@code program} has {@code count} workers, all RUNNING. */
    Status awaitRunning(String program, int count) {
        return awaitStatus(count + " " + program + " workers RUNNING", s -> s.running(program, count));
    }

    /** True when something accepts connections on the control socket. */
    boolean reachable() {
        if (!Files.exists(socket())) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return ch.connect(UnixDomainSocketAddress.of(socket()));
        } catch (IOException e) {
            return false;
        }
    }

    /** Live processes working in the folder other than the daemons: workers, their children, a running CLI. */
    List<Long> workerProcesses() {
        Set<Long> daemonPids = daemons.stream().map(Daemon::pid).collect(Collectors.toSet());
        return Procs.runningIn(dir).stream().filter(pid -> !daemonPids.contains(pid)).sorted().toList();
    }

    /** The daemons' stderr tails, for failure messages. */
    String context() {
        return daemons.stream().map(Daemon::tail).collect(Collectors.joining("\n"));
    }

    // ---- waiting --------------------------------------------------------------------------------------------

    /** Polls {@code condition} until it holds; fails after {@link #PATIENCE} naming {@code what}. */
    void await(String what, BooleanSupplier condition) {
        await(what, condition::getAsBoolean, ok -> ok);
    }

    void await(String what, Duration patience, BooleanSupplier condition) {
        await(what, patience, condition::getAsBoolean, ok -> ok);
    }

    /** Polls {@code probe} until its value satisfies {@code ok}; answers that value. */
    <T> T await(String what, Supplier<T> probe, Predicate<T> ok) {
        return await(what, PATIENCE, probe, ok);
    }

    <T> T await(String what, Duration patience, Supplier<T> probe, Predicate<T> ok) {
        long deadline = System.nanoTime() + patience.toNanos();
        T last = null;
        while (true) {
            last = probe.get();
            if (ok.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
        throw new AssertionError("timed out after " + patience.toSeconds() + " s waiting for " + what
                + (last instanceof Boolean ? "" : "\nlast seen: " + last) + "\n" + context());
    }

    /**
     * True when {@code baton logs} output has the line {@code SOURCE | TEXT}; the prefix is padded to the widest
     * source shown, so any run of spaces may follow the source.
     */
    static boolean hasLogLine(String logsOutput, String source, String text) {
        return Pattern.compile("(?m)^" + Pattern.quote(source) + " *\\| "
                + Pattern.quote(text) + "$").matcher(logsOutput).find();
    }

    /** Waits until {@code file} contains {@code text}; answers the file's content. */
    String awaitInFile(Path file, String text) {
        return await(file.getFileName() + " to contain \"" + text + "\"", () -> read(file), s -> s.contains(text));
    }

    /** Waits until none of {@code pids} is alive. */
    void awaitGone(String what, Long... pids) {
        awaitGone(what, PATIENCE, pids);
    }

    void awaitGone(String what, Duration patience, Long... pids) {
        await(what + " (pids " + List.of(pids) + ") to be gone", patience,
                () -> Stream.of(pids).filter(Procs::alive).toList(), List::isEmpty);
    }
}
