package dev.baton.supervisor.daemon;

import dev.baton.proxy.Listener;
import dev.baton.supervisor.Log;
import dev.baton.supervisor.control.ReloadStep;
import dev.baton.supervisor.control.UpgradeSummary;
import dev.baton.supervisor.process.OwnChildren;
import dev.baton.supervisor.process.Posix;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The old daemon's side of {@code baton upgrade}: offers its listening sockets at {@code SOCKET.upgrade}
 * ({@link Handoff}), starts the new daemon with the launcher installed now ({@code BATON_HOME/bin/baton run
 * --take-over}, in its own session, its output where this daemon's goes), passes on the steps of its start, and
 * acts on its report:
 * <ul>
 *   <li>{@code READY}: the new daemon accepts on every listener and owns the control socket: this daemon stops
 *       accepting, drains and exits ({@link Daemon#handedOver});</li>
 *   <li>{@code FAILED}, or the new daemon exits or does not connect: it is stopped if still running (it stops its
 *       own workers) and this daemon serves on, untouched.</li>
 * </ul>
 */
final class Upgrade implements Handoff.Watcher {

    /** The new JVM's start, until it connects to the handoff socket; generous for a loaded machine. */
    static final long CONNECT_TIMEOUT_MILLIS = 120_000;
    /** A failed new daemon's own stop (its workers get their stopsignal) before it is killed. */
    private static final long STOP_TIMEOUT_MILLIS = 120_000;

    private final Daemon daemon;
    private final Consumer<ReloadStep> progress;
    private final CompletableFuture<UpgradeSummary> summary = new CompletableFuture<>();
    private final long startedAt = System.currentTimeMillis();
    private final Path path;
    private volatile boolean connected;
    /** Set once the new daemon is ready: from then on nothing aborts the upgrade. */
    private boolean switching;
    /**
     * Set by the first failure: the summary completes only once the new daemon is gone, and meanwhile its exit
     * (which the failure caused) must not report a second, later reason that would overtake the first.
     */
    private boolean failing;
    private Handoff handoff;
    private Process process;

    Upgrade(Daemon daemon, Consumer<ReloadStep> progress) {
        this.daemon = daemon;
        this.progress = progress;
        Path socket = daemon.config().daemon().socket();
        this.path = socket.resolveSibling(socket.getFileName() + ".upgrade");
    }

    /** Starts the new daemon; the summary completes at the switch or the failure. Reload thread. */
    CompletableFuture<UpgradeSummary> start(List<Listener> listeners) {
        Path launcher = launcher();
        say("upgrading: starting a new daemon with " + launcher + " run -c " + daemon.config().file());
        try {
            handoff = Handoff.offer(path, listeners, this);
            ProcessBuilder builder = new ProcessBuilder("setsid", launcher.toString(), "run",
                    "-c", daemon.config().file().toString(), "--take-over", path.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            process = OwnChildren.start(builder);
        } catch (IOException e) {
            closeHandoff();
            throw new IllegalStateException("cannot upgrade: " + e.getMessage());
        }
        say("new daemon pid " + process.pid() + " started; handing over " + listeners.size() + " listening sockets");
        process.onExit().thenRun(() -> {
            // once connected, the end of the connection brings its report (or the lack of one) after every byte
            // it sent: a process exit seen first must not overtake the reason it reported
            if (!connected && !summary.isDone()) {
                fail(exited(), "", List.of());
            }
        });
        CompletableFuture.delayedExecutor(CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
            if (!connected && !summary.isDone()) {
                fail("the new daemon (pid " + process.pid() + ") did not connect within "
                        + CONNECT_TIMEOUT_MILLIS / 1000 + "s", "", List.of());
            }
        });
        return summary;
    }

    /** {@code BATON_HOME/bin/baton}, the launcher the package installed: new jars, new JVM flags. */
    private static Path launcher() {
        String home = System.getProperty("baton.home");
        if (home == null) {
            throw new IllegalArgumentException("cannot upgrade: Baton was not started by its launcher (bin/baton),"
                    + " so there is nothing to start the new daemon with");
        }
        Path launcher = Path.of(home, "bin", "baton");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalArgumentException("cannot upgrade: " + launcher + " is missing or not executable");
        }
        return launcher;
    }

    @Override
    public void connected() {
        connected = true;
    }

    @Override
    public void step(ReloadStep step) {
        progress.accept(step);
    }

    /** On the handoff's event loop, which closing the handoff waits for: acted on in another thread. */
    @Override
    public void report(Handoff.Report report) {
        CompletableFuture.runAsync(() -> {
            if (report.result() == Handoff.Report.Result.READY) {
                switched(report.pid());
            } else if (report.pid() == 0) { // the connection ended without a report: the process died
                process.onExit().orTimeout(10, TimeUnit.SECONDS).handle((p, e) -> {
                    fail(process.isAlive() ? report.reason() : exited(), "", List.of());
                    return null;
                });
            } else {
                fail(report.reason(), report.worker(), report.lines());
            }
        });
    }

    private String exited() {
        return "the new daemon (pid " + process.pid() + ") exited with status " + process.exitValue()
                + " before it was ready (its output is in Baton's log)";
    }

    /** The new daemon accepts: this one lets go and drains. */
    private synchronized void switched(long newPid) {
        if (summary.isDone() || failing) {
            return;
        }
        switching = true;
        daemon.handedOver(newPid);
        closeHandoff();
        String message = "upgraded: pid " + newPid + " serves; pid " + Posix.getpid()
                + " stopped accepting and drains, then exits";
        Log.info(message);
        summary.complete(new UpgradeSummary("upgraded", true, Posix.getpid(), newPid, message, took(), "",
                List.of()));
    }

    /**
     * This daemon is shutting down before the new one was ready: the new one is stopped too (it stops its workers),
     * so that a stop during an upgrade stops Baton.
     */
    synchronized void abort(String why) {
        if (!switching) {
            fail("Baton is shutting down (" + why + ")", "", List.of());
        }
    }

    /** The new daemon failed: it is stopped (if still running); this one serves on. */
    private synchronized void fail(String reason, String worker, List<String> lines) {
        if (summary.isDone() || switching || failing) {
            return;
        }
        failing = true;
        closeHandoff();
        long pid = process == null ? 0 : process.pid();
        String message = "upgrade failed, pid " + Posix.getpid() + " serves on, untouched: " + reason;
        Log.warn(message);
        CompletableFuture<?> gone = process == null ? CompletableFuture.completedFuture(null) : process.onExit();
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM: it stops its own workers
            gone = gone.orTimeout(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).exceptionally(e -> {
                process.destroyForcibly();
                return null;
            });
        }
        UpgradeSummary failed = new UpgradeSummary("failed", false, Posix.getpid(), pid, message, took(), worker,
                lines);
        gone.whenComplete((v, e) -> summary.complete(failed));
    }

    private void closeHandoff() {
        if (handoff != null) {
            handoff.close();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Log.warn("cannot remove " + path + ": " + e.getMessage());
        }
    }

    private long took() {
        return System.currentTimeMillis() - startedAt;
    }

    private void say(String message) {
        Log.info(message);
        progress.accept(new ReloadStep("", "", 0, "upgrade", message));
    }
}
