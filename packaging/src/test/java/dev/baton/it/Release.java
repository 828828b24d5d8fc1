package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The gunicorn app of fixtures/release_app.py as program {@code web} behind Baton's proxy, and its deploys: a test
 * writes release.json (version, import time, fault) next to the app and runs {@code baton reload}, as one would
 * after unpacking a new release.
 */
final class Release {

    /** How a release is broken; {@code NONE} works. The names are release_app.py's {@code "fault"} values. */
    enum Fault {
        NONE, RAISE, HANG, UNHEALTHY;

        String json() {
            return this == NONE ? "null" : "\"" + name().toLowerCase(java.util.Locale.ROOT) + "\"";
        }
    }

    private Release() {
    }

    /** Copies the app into the sandbox and deploys {@code version}, whose import takes {@code startupSeconds}. */
    static void install(Sandbox sandbox, String version, double startupSeconds) {
        sandbox.copyFixture("release_app.py");
        deploy(sandbox, version, startupSeconds, Fault.NONE);
    }

    /** Writes release.json: workers started from now on serve {@code version}, broken as {@code fault} says. */
    static void deploy(Sandbox sandbox, String version, double startupSeconds, Fault fault) {
        sandbox.write("release.json", "{\"version\": \"%s\", \"startup_s\": %s, \"fault\": %s}\n"
                .formatted(version, startupSeconds, fault.json()));
    }

    /**
     * The {@code [program.web]} table: {@code numprocs} gunicorn masters, each with one gthread worker of 4 threads
     * (keep-alive, concurrent requests), on their {@code {port}} behind 127.0.0.1:{@code port}; health checked on
     * /healthz every 250 ms; then the {@code extra} lines.
     *
     * <p>gunicorn runs with {@code --graceful-timeout 0}: on Baton's SIGTERM the master kills its worker at once
     * instead of letting it finish its requests. Baton signals an old worker only once no request is in flight
     * on it, so nothing is cut; and a request Baton wrongly leaves on a stopping worker fails the test instead of
     * being quietly finished by gunicorn (whose graceful stop also takes a second longer per worker).
     */
    static String program(int port, int numprocs, String extra) {
        return """
                [program.web]
                command = "gunicorn --bind 127.0.0.1:{port} --workers 1 --worker-class gthread --threads 4 \
                --graceful-timeout 0 release_app:app"
                numprocs = %d
                listen = "127.0.0.1:%d"
                health_check = "/healthz"
                health_interval = "250ms"
                %s
                """.formatted(numprocs, port, extra);
    }

    /**
     * Writes the configuration with {@link #program} alone, starts the daemon and answers the status once every
     * worker is healthy.
     */
    static Status start(Sandbox sandbox, int port, int numprocs, String extra) {
        sandbox.writeConfig(program(port, numprocs, extra));
        sandbox.startDaemon();
        return awaitHealthy(sandbox, numprocs);
    }

    static Status awaitHealthy(Sandbox sandbox, int numprocs) {
        return sandbox.awaitStatus(numprocs + " web workers RUNNING and HEALTHY",
                s -> ProxyStatus.healthy(s, "web", numprocs));
    }

    /** The version that answers {@code GET /} through the proxy on {@code port}; fails unless it answers 200. */
    static String served(int port) {
        return String.valueOf(Http.json(Http.get(port, "/")).get("version"));
    }

    /**
     * Asserts that the processes working in the sandbox are exactly the workers {@code status} shows and their
     * children (gunicorn's forked worker): nothing of another generation is left running.
     */
    static void assertOnlyProcessesOf(Sandbox sandbox, Status status) {
        List<Long> shown = status.workers().stream().map(Status.Worker::pid).filter(pid -> pid > 0).sorted().toList();
        List<Long> strays = sandbox.workerProcesses().stream()
                .filter(pid -> !shown.contains(pid) && !shown.contains(parent(pid).orElse(-1L)) && Procs.alive(pid))
                .toList();
        assertEquals(List.of(), strays, () -> "processes in the sandbox that are neither a worker status shows nor "
                + "a child of one: " + strays.stream().map(Release::describe).collect(Collectors.joining("; "))
                + "\nstatus: " + status);
    }

    private static Optional<Long> parent(long pid) {
        return ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid);
    }

    private static String describe(long pid) {
        return pid + " (parent " + parent(pid).map(String::valueOf).orElse("?") + ": "
                + ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElse("?") + ")";
    }
}
