package dev.baton.supervisor.daemon;

import dev.baton.supervisor.Supervisor;
import dev.baton.supervisor.SupervisorLoop;
import dev.baton.supervisor.WorkerContext;
import dev.baton.supervisor.Log;
import dev.baton.supervisor.Worker;
import dev.baton.supervisor.WorkerStatus;
import dev.baton.supervisor.ReloadEvent;
import dev.baton.supervisor.ReloadResult;
import dev.baton.supervisor.Version;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigError;
import dev.baton.conf.ConfigException;
import dev.baton.conf.ConfigLoader;
import dev.baton.conf.ProgramConfig;
import dev.baton.supervisor.control.ControlClient;
import dev.baton.supervisor.control.ControlServer;
import dev.baton.supervisor.log.LogFiles;
import dev.baton.supervisor.log.LogHub;
import dev.baton.supervisor.log.LogStream;
import dev.baton.supervisor.process.NuProcessLauncher;
import dev.baton.supervisor.process.Posix;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * {@code baton run}: the foreground daemon. Owns the control socket, the supervisor and its loop, the logs and
 * the pid file; obeys TERM/INT (graceful shutdown), HUP (reload every program, like {@code baton reload}) and USR1
 * (reopen log files). Signal handlers and the reload thread only hand work to the supervisor loop, which alone
 * changes supervisor and proxy state.
 */
public final class Daemon {

    /** Seconds a leftover worker group from a killed Baton gets between SIGTERM and SIGKILL. */
    private static final long LEFTOVER_GRACE_MILLIS = 5_000;

    private final BatonConfig config;
    private final long startedAt = System.currentTimeMillis();
    private final SupervisorLoop loop = new SupervisorLoop();
    private final LogHub hub = LogHub.withDefaults();
    private final LogFiles logFiles;
    private final PidFile pidFile;
    private final Supervisor supervisor;
    private final Frontends frontends = new Frontends(new BackendEvents());
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    /** Reloads are read, checked and started here, one at a time; never on the supervisor loop. */
    private final ExecutorService reloads = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "baton-reload");
        t.setDaemon(true);
        return t;
    });

    /** The daemon could not start; the message is one line for the operator. */
    public static final class StartupException extends Exception {
        public StartupException(String message) {
            super(message);
        }
    }

    private Daemon(BatonConfig config) {
        this.config = config;
        this.logFiles = new LogFiles(config.daemon().logDir());
        this.pidFile = new PidFile(config.daemon().socket().resolveSibling(
                config.daemon().socket().getFileName() + ".pids"));
        WorkerContext ctx = new WorkerContext(new NuProcessLauncher(), loop, logFiles, hub,
                config.daemon().logToStdout(), config.daemon().socket().resolveSibling("workers"),
                System.getenv(), this::workerChanged);
        this.supervisor = new Supervisor(ctx, frontends);
    }

    /** Runs until shut down; answers once every worker has stopped. */
    public static void run(BatonConfig config) throws StartupException {
        Daemon daemon = new Daemon(config);
        daemon.serve();
    }

    private void serve() throws StartupException {
        Path socket = config.daemon().socket();
        FileLock lock = lock(socket);
        if (lock == null || new ControlClient(socket).reachable()) {
            throw new StartupException("another baton is already running on " + socket
                    + " (stop it with: baton shutdown -c " + config.file() + ")");
        }
        List<String> leftovers = pidFile.stopLeftovers(LEFTOVER_GRACE_MILLIS, System::currentTimeMillis);
        if (!leftovers.isEmpty()) {
            Log.warn("stopped " + leftovers.size() + " worker process groups left by a previous baton that did"
                    + " not shut down: " + String.join(", ", leftovers));
        }
        Log.tap(message -> hub.publish("baton", LogStream.STDOUT, message));
        try {
            ListenPlan.Bound bound = frontends.bindAll(config);
            loop.execute(() -> frontends.prepare(bound)); // served from each program's first publish, at boot
        } catch (IOException e) {
            closeFrontends();
            throw new StartupException(e.getMessage());
        }
        ControlServer server;
        try {
            server = ControlServer.bind(socket, config.daemon().socketGroup(), new DaemonApi(this));
        } catch (IOException e) {
            closeFrontends();
            throw new StartupException("cannot open control socket " + socket + ": " + e.getMessage());
        }
        installSignals();
        int workers = config.programs().stream().mapToInt(p -> p.numprocs()).sum();
        Log.info("baton " + Version.current() + " (pid " + Posix.getpid() + ") supervising "
                + config.programs().size() + " programs, " + workers + " workers; control socket " + socket);
        supervisor.boot(config);
        stopped.join();
        closeFrontends();
        server.close();
        pidFile.delete();
        logFiles.close();
        try {
            lock.release();
            lock.channel().close();
        } catch (IOException ignored) {
            // the kernel releases it at exit anyway
        }
        loop.close();
        Log.info("baton stopped");
        Log.flush();
    }

    /** Closes the proxy's front ends on the loop, which alone touches them (it may be preparing them now). */
    private void closeFrontends() {
        loop.submit(() -> {
            frontends.close();
            return null;
        }).join();
    }

    /**
     * Takes {@code SOCKET.lock} for the daemon's whole life (released by the kernel when the process ends, however
     * it ends): of two daemons started together on one configuration, exactly one gets it. Null when another
     * process holds it.
     */
    private static FileLock lock(Path socket) throws StartupException {
        Path file = socket.resolveSibling(socket.getFileName() + ".lock");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
            }
            return lock;
        } catch (IOException e) {
            throw new StartupException("cannot lock " + file + ": " + e.getMessage());
        }
    }

    Supervisor supervisor() {
        return supervisor;
    }

    LogHub hub() {
        return hub;
    }

    BatonConfig config() {
        return config;
    }

    long startedAt() {
        return startedAt;
    }

    /** Begins a graceful shutdown once; later calls do nothing. */
    void shutdown(String why) {
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        Log.info("shutting down (" + why + "): stopping every worker");
        supervisor.shutdown().whenComplete((v, e) -> stopped.complete(null));
    }

    /**
     * {@code baton reload}: re-reads the configuration file and applies it to {@code names} (every program when
     * empty). Runs on the reload thread, one request at a time. The returned future completes once the reload has
     * started, with the future of its results; it fails with {@link IllegalArgumentException} (invalid file,
     * unknown program: nothing changed) or {@link Supervisor.BusyException} (a named program is reloading, without
     * {@code wait}).
     */
    CompletableFuture<CompletableFuture<List<ReloadResult>>> reload(List<String> names, boolean wait,
                                                                    Consumer<ReloadEvent> progress) {
        return CompletableFuture.supplyAsync(() -> tryReload(names, wait, progress), reloads).thenCompose(f -> f);
    }

    /** What the loop says before a reload: the programs busy reloading, or else what to bind. */
    private record Check(List<String> busy, ListenPlan plan) {
    }

    /**
     * On the reload thread: reads and checks the file; asks the loop whether the programs are busy and which listen
     * addresses to bind; binds them here (binding blocks); then hands it all to the loop, which applies the reload
     * as one transaction. With {@code wait}, comes back once the programs are idle, without holding the thread
     * meanwhile; the file is read again then.
     */
    private CompletableFuture<CompletableFuture<List<ReloadResult>>> tryReload(List<String> names, boolean wait,
                                                                                Consumer<ReloadEvent> progress) {
        if (shuttingDown.get()) {
            throw new IllegalStateException("Baton is shutting down");
        }
        BatonConfig next = readConfig();
        Check check = onLoop(() -> {
            for (String name : names) {
                if (next.program(name).isEmpty() && !supervisor.programNames().contains(name)) {
                    throw new IllegalArgumentException("no such program: " + name + " (programs: " + String.join(
                            ", ", next.programs().stream().map(ProgramConfig::name).toList()) + ")");
                }
            }
            List<String> busy = supervisor.busyNow(names);
            return new Check(busy, busy.isEmpty() ? frontends.plan(next, names) : null);
        });
        if (!check.busy().isEmpty()) {
            if (!wait) {
                throw new Supervisor.BusyException(check.busy());
            }
            Log.info("reload waits for the reload of " + String.join(", ", check.busy()) + " to end");
            return supervisor.whenIdle(names).thenComposeAsync(v -> tryReload(names, true, progress), reloads);
        }
        if (!next.daemon().equals(config.daemon())) {
            Log.warn("changes to [baton] take effect at the next baton run");
        }
        Log.info("reloading " + (names.isEmpty() ? "every program" : String.join(", ", names)) + " from "
                + config.file());
        ListenPlan.Bound bound = frontends.bind(check.plan());
        CompletableFuture<List<ReloadResult>> results = onLoop(() -> {
            frontends.prepare(bound);
            try {
                return supervisor.reloadNow(next, names, bound.refused(), progress);
            } catch (RuntimeException e) {
                bound.listeners().keySet().forEach(frontends::abandoned);
                throw e;
            }
        });
        return CompletableFuture.completedFuture(results.whenComplete((list, e) -> {
            if (e == null) {
                list.forEach(r -> (r.outcome().failed() ? (Consumer<String>) Log::warn
                        : (Consumer<String>) Log::info).accept("reload: " + r.message()));
            }
        }));
    }

    /** Runs {@code task} on the supervisor loop and waits for it; its exception is rethrown as it was. */
    private <T> T onLoop(java.util.function.Supplier<T> task) {
        try {
            return loop.submit(task).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** The configuration file as it is now; every error at once, as an {@link IllegalArgumentException}. */
    private BatonConfig readConfig() {
        try {
            return ConfigLoader.load(config.file(), System.getenv());
        } catch (ConfigException e) {
            List<String> lines = new ArrayList<>();
            lines.add("configuration not reloaded, nothing changed: " + e.errors().size()
                    + (e.errors().size() == 1 ? " error" : " errors"));
            e.errors().forEach(error -> lines.add(error.toString()));
            lines.forEach(Log::warn);
            throw new IllegalArgumentException(String.join("\n", lines));
        }
    }

    /**
     * SIGHUP: reloads every program, like {@code baton reload --wait} (a HUP during a reload runs once that one has
     * ended: a signal has no one to tell "busy"); the steps and outcome go to Baton's log.
     */
    private void reloadOnSignal() {
        reload(List.of(), true, event -> { }).whenComplete((started, e) -> {
            if (e != null) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                Log.warn("SIGHUP: reload refused: " + cause.getMessage().lines().findFirst().orElse(""));
            }
        });
    }

    /** Each handler only hands the work on: to the supervisor loop, or the reload thread. */
    private void installSignals() {
        handle("TERM", () -> shutdown("SIGTERM"));
        handle("INT", () -> shutdown("SIGINT"));
        handle("HUP", this::reloadOnSignal);
        handle("USR1", () -> loop.execute(() -> {
            logFiles.reopenAll();
            frontends.reopenLogs();
            Log.info("log files reopened (SIGUSR1)");
        }));
    }

    private static void handle(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), s -> {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    Log.error("handling SIG" + name + ": " + e, e);
                }
            });
        } catch (IllegalArgumentException e) {
            Log.warn("cannot handle SIG" + name + ": " + e.getMessage());
        }
    }

    /** On the loop, after every worker transition: the pid file follows (the supervisor tells the proxy). */
    private void workerChanged(Worker w) {
        recordPids();
    }

    /** The proxy's news about backends, handed to the supervisor (which enqueues it onto its loop). */
    private final class BackendEvents implements Frontends.Events {
        @Override
        public void ready(String program, String worker, int generation) {
            supervisor.backendReady(program, worker, generation);
        }

        @Override
        public void drained(String program, String worker, int generation) {
            supervisor.backendDrained(program, worker, generation);
        }
    }

    Frontends frontends() {
        return frontends;
    }

    private void recordPids() {
        List<PidFile.Entry> entries = new ArrayList<>();
        for (Worker w : supervisor.allWorkers()) {
            WorkerStatus s = w.status();
            if (s.pid() > 0) {
                entries.add(new PidFile.Entry(s.pid(), PidFile.startTime(s.pid()), s.name()));
            }
        }
        pidFile.write(entries);
    }
}
