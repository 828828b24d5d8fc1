package dev.baton.supervisor.daemon;

import dev.baton.supervisor.Supervisor;
import dev.baton.supervisor.SupervisorLoop;
import dev.baton.supervisor.WorkerChange;
import dev.baton.supervisor.WorkerContext;
import dev.baton.supervisor.Log;
import dev.baton.supervisor.Worker;
import dev.baton.supervisor.WorkerStatus;
import dev.baton.supervisor.Version;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.GroupConfig;
import dev.baton.supervisor.control.ControlClient;
import dev.baton.conf.ListenAddress;
import dev.baton.supervisor.control.AdminServer;
import dev.baton.supervisor.control.ControlServer;
import dev.baton.supervisor.control.Message;
import dev.baton.supervisor.metrics.ProcessTable;
import dev.baton.supervisor.metrics.ReloadCounters;
import dev.baton.proxy.BackendView;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import dev.baton.supervisor.control.ReloadStep;
import dev.baton.supervisor.control.UpgradeSummary;
import dev.baton.supervisor.events.Event;
import dev.baton.supervisor.events.EventRunner;
import dev.baton.supervisor.log.LogFiles;
import dev.baton.supervisor.log.LogHub;
import dev.baton.supervisor.log.LogStream;
import dev.baton.supervisor.process.NuProcessLauncher;
import dev.baton.supervisor.process.OrphanReaper;
import dev.baton.supervisor.process.Posix;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code baton run}: the foreground daemon. Owns the control socket, the supervisor and its loop, the logs and
 * the pid file; obeys TERM/INT (graceful shutdown), HUP (reload every program, like {@code baton reload}), USR1
 * (reopen log files) and USR2 (replace itself, like {@code baton upgrade}). Signal handlers and the reload thread
 * only hand work to the supervisor loop, which alone changes supervisor and proxy state.
 *
 * <p>{@code baton run --take-over} ({@link #takeOver}) is the daemon an upgrade starts: it takes the listening
 * sockets of the running daemon ({@link Handoff}), starts every program as a reload would, and only once all are
 * ready accepts, takes the control socket and tells the old daemon, which then drains and exits ({@link Upgrade}).
 */
public final class Daemon {

    /** Seconds a leftover worker group from a killed Baton gets between SIGTERM and SIGKILL. */
    private static final long LEFTOVER_GRACE_MILLIS = 5_000;
    /** How long Baton, once its workers have stopped, waits for {@code event_command} to take the last events. */
    private static final Duration EVENTS_CLOSE_WAIT = Duration.ofSeconds(15);

    private final BatonConfig config;
    private volatile List<GroupConfig> groups;
    private final long startedAt = System.currentTimeMillis();
    /** The JVM's own start, a little before {@link #startedAt}: {@code process_start_time_seconds}. */
    private final long processStartedAt = ProcessHandle.current().info().startInstant()
            .map(java.time.Instant::toEpochMilli).orElse(startedAt);
    private final SupervisorLoop loop = new SupervisorLoop();
    private final LogHub hub = LogHub.withDefaults();
    private final LogFiles logFiles;
    private final PidFile pidFile;
    private final Supervisor supervisor;
    private final Frontends frontends = new Frontends(new BackendEvents());
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Serving, leaving the pool, stopping, or handed over to an upgrade's daemon: what {@code /ready} tells. */
    private final Lifecycle lifecycle = new Lifecycle();
    /** True while this daemon takes over from the one it replaces, until it accepts: in no pool yet. */
    private volatile boolean takingOver;
    /** The upgrade in progress, or null. */
    private volatile Upgrade upgrade;
    /** Why an upgrade cannot start now (one is running, or this daemon is still taking over); null when it can. */
    private final AtomicReference<String> upgradeBusy = new AtomicReference<>();
    /** False while this daemon takes over: the pid file is the old daemon's until it has exited. */
    private volatile boolean ownsPidFile = true;
    /** SOCKET.lock, once this daemon holds it. */
    private final AtomicReference<SocketLock> lock = new AtomicReference<>();
    /** Reloads and upgrades are read, checked and started on its thread, one at a time. */
    private final Reloads reloads = new Reloads(this);
    private final ReloadCounters reloadCounters = new ReloadCounters();
    /** Gathers and writes metrics for scrapes, off the supervisor loop and the event loops. */
    private final ExecutorService metricsThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "baton-metrics");
        t.setDaemon(true);
        return t;
    });
    /** The admin address's server ({@code metrics_listen}), once open. */
    private final AtomicReference<AdminServer> admin = new AtomicReference<>();
    /** Runs {@code event_command}; emitting only enqueues. */
    private final EventRunner events;
    /** Why the daemon stops, once it does. */
    private volatile String stopReason;
    /** Reaps the orphans reparented to Baton (as PID 1, or as its workers' subreaper) from construction on. */
    private final OrphanReaper reaper = OrphanReaper.start();

    /** The daemon could not start; the message is one line for the operator. */
    public static final class StartupException extends Exception {
        public StartupException(String message) {
            super(message);
        }
    }

    private static final ProcessTable PROCESSES = new ProcessTable();

    private Daemon(BatonConfig config) {
        this.config = config;
        this.groups = config.groups();
        this.logFiles = new LogFiles(config.daemon().logDir(), config.daemon().logTimestamps());
        this.pidFile = new PidFile(config.daemon().socket().resolveSibling(
                config.daemon().socket().getFileName() + ".pids"));
        WorkerContext ctx = new WorkerContext(new NuProcessLauncher(), loop, logFiles, hub,
                config.daemon().logToStdout(), config.daemon().socket().resolveSibling("workers"),
                childEnvironment(), this::workerChanged);
        this.supervisor = new Supervisor(ctx, frontends, groups -> CompletableFuture.supplyAsync(
                () -> residentBytes(PROCESSES.groups(groups)), metricsThread));
        this.events = EventRunner.start(config.daemon().eventCommand(), config.file().getParent(), childEnvironment(),
                config.daemon().logDir().resolve("event_command.log"));
        if (!reaper.subreaper() && Posix.getpid() != 1) {
            Log.warn("cannot become the subreaper of the workers (prctl PR_SET_CHILD_SUBREAPER refused): their"
                    + " orphaned children go to init");
        }
    }

    /**
     * Baton's environment as its children inherit it: without {@code _JAVA_SR_SIGNUM}, which {@code bin/baton} sets
     * for Baton's own JVM (see {@link #installSignals}) and which would move a Java worker's signal too.
     */
    static Map<String, String> childEnvironment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("_JAVA_SR_SIGNUM");
        return env;
    }

    /** Runs until shut down; answers once every worker has stopped. */
    public static void run(BatonConfig config) throws StartupException {
        Daemon daemon = new Daemon(config);
        daemon.serve();
    }

    /**
     * {@code baton run --take-over}: replaces the daemon that handed over its listening sockets ({@code handoff}),
     * then runs until shut down. Its workers start first, held out of traffic; a failure is reported to the old
     * daemon (which serves on) and ends this one with a {@link StartupException}.
     */
    public static void takeOver(BatonConfig config, Handoff.Taken handoff) throws StartupException {
        Daemon daemon = new Daemon(config);
        daemon.serveTakenOver(handoff);
    }

    private void serve() throws StartupException {
        Path socket = config.daemon().socket();
        SocketLock held;
        try {
            held = SocketLock.tryTake(socket).orElse(null);
        } catch (IOException e) {
            throw new StartupException("cannot lock " + SocketLock.file(socket) + ": " + e.getMessage());
        }
        if (held == null || new ControlClient(socket).reachable()) {
            throw new StartupException("another baton is already running on " + socket
                    + " (stop it with: baton shutdown -c " + config.file() + ")");
        }
        lock.set(held);
        List<String> leftovers = pidFile.stopLeftovers(LEFTOVER_GRACE_MILLIS, System::currentTimeMillis);
        if (!leftovers.isEmpty()) {
            Log.warn("stopped " + leftovers.size() + " worker process groups left by a previous baton that did"
                    + " not shut down: " + String.join(", ", leftovers));
        }
        Log.tap(message -> hub.publish("baton", LogStream.STDOUT, message));
        ListenPlan.Bound bound = bindFrontends(Map.of());
        loop.execute(() -> frontends.prepare(bound)); // served from each program's first publish, at boot
        ControlServer server = openControl();
        installSignals();
        String started = "baton " + Version.current() + " (pid " + Posix.getpid() + ") supervising "
                + config.programs().size() + " programs, " + workers() + " workers; control socket " + socket;
        Log.info(started);
        supervisor.boot(config);
        SystemdNotify.send("READY=1");
        emit(Event.Type.DAEMON_STARTED, null, started);
        stopped.join();
        finish(server);
    }

    /** See {@link #takeOver} and {@link TakeOver}. */
    private void serveTakenOver(Handoff.Taken handoff) throws StartupException {
        upgradeBusy.set("this daemon is still taking over from the one it replaces");
        takingOver = true;
        ownsPidFile = false; // the old daemon's until it has exited
        Log.tap(message -> hub.publish("baton", LogStream.STDOUT, message));
        ControlServer server = new TakeOver(this, handoff).start();
        stopped.join();
        finish(server);
    }

    /** A daemon that took over, once the old one has exited: its lock (null if it could not be taken) and pids. */
    void settled(SocketLock held) {
        lock.set(held);
        loop.execute(() -> {
            ownsPidFile = true;
            recordPids();
        });
        upgradeBusy.set(null);
    }

    /** A daemon taking over accepts on every listener now: from here on a shutdown request leaves the pool. */
    void accepting() {
        takingOver = false;
    }

    /** A daemon taking over failed to start: its workers stop, then everything closes. */
    void stopAfterFailedStart() {
        shutdown("the upgrade failed");
        stopped.join();
        finish(null);
    }

    boolean shuttingDown() {
        return lifecycle.state() != Lifecycle.State.SERVING;
    }

    Lifecycle.State state() {
        return lifecycle.state();
    }

    private int workers() {
        return config.programs().stream().mapToInt(p -> p.numprocs()).sum();
    }

    /** Binds (or adopts, from {@code inherited}) every listen address; closes them all on failure. */
    ListenPlan.Bound bindFrontends(Map<String, Integer> inherited) throws StartupException {
        try {
            return frontends.bindAll(config, inherited);
        } catch (IOException e) {
            closeFrontends();
            throw new StartupException(e.getMessage());
        }
    }

    /** Opens the control socket, and the admin address if {@code metrics_listen} is set. */
    ControlServer openControl() throws StartupException {
        Path socket = config.daemon().socket();
        DaemonApi api = new DaemonApi(this);
        ControlServer server;
        try {
            server = ControlServer.bind(socket, config.daemon().socketGroup(), api);
        } catch (IOException e) {
            closeFrontends();
            throw new StartupException("cannot open control socket " + socket + ": " + e.getMessage());
        }
        if (config.daemon().metricsListen().isPresent()) {
            ListenAddress address = config.daemon().metricsListen().get();
            try {
                admin.set(AdminServer.bind(ProxyConfigs.address(address), api));
            } catch (IOException e) {
                server.close();
                closeFrontends();
                throw new StartupException("cannot listen on metrics_listen " + address + ": " + e.getMessage());
            }
        }
        return server;
    }

    /** After the last worker stopped: closes what the daemon holds, in order; {@code server} may be null. */
    private void finish(ControlServer server) {
        closeFrontends();
        if (server != null) {
            server.close();
        }
        AdminServer adminServer = admin.getAndSet(null);
        if (adminServer != null) {
            adminServer.close();
        }
        metricsThread.shutdownNow();
        if (ownsPidFile) {
            pidFile.delete();
        }
        emit(Event.Type.DAEMON_STOPPED, stopReason, "baton stopped");
        events.close(EVENTS_CLOSE_WAIT);
        logFiles.close();
        SocketLock held = lock.get();
        if (held != null) {
            held.release();
        }
        reaper.close();
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

    Supervisor supervisor() {
        return supervisor;
    }

    LogHub hub() {
        return hub;
    }

    BatonConfig config() {
        return config;
    }

    /** The groups of the configuration last applied: the boot's, then each reload's or update's. */
    List<GroupConfig> groups() {
        return groups;
    }

    void groups(List<GroupConfig> applied) {
        groups = List.copyOf(applied);
    }

    long startedAt() {
        return startedAt;
    }

    Reloads reloads() {
        return reloads;
    }

    ReloadCounters reloadCounters() {
        return reloadCounters;
    }

    Executor metricsThread() {
        return metricsThread;
    }

    /** When this process started, epoch milliseconds (an upgrade's daemon: its own start). */
    long processStartedAt() {
        return processStartedAt;
    }

    EventRunner events() {
        return events;
    }

    /** Queues an event of the daemon itself for {@code event_command}. */
    void emit(Event.Type type, String reason, String message) {
        events.emit(Event.daemon(type, Posix.getpid(), reason, message, System.currentTimeMillis()));
    }

    /** Why an upgrade cannot start now (one is running, this daemon is still taking over), or null. */
    String upgradeBusy() {
        return upgradeBusy.get();
    }

    /**
     * SIGTERM, SIGINT, {@code baton shutdown} ({@code why}): with a {@code shutdown_delay}, leaves the pool first
     * ({@code /ready} answers 503 at once while Baton accepts and serves on), then shuts down once the delay is
     * over; a second request during the delay ends it. Without one, or while this daemon is still taking over
     * (it is in no pool yet), shuts down at once. Answers what {@code baton shutdown} tells the user. Any thread.
     */
    Message requestShutdown(String why) {
        java.time.Duration delay = config.daemon().shutdownDelay();
        int pid = Posix.getpid();
        if (delay.isZero() || takingOver) {
            shutdown(why);
            return new Message("shutting down", pid);
        }
        String serving = "serving " + text(delay) + " more (shutdown_delay)";
        if (lifecycle.transitionTo(Lifecycle.State.LEAVING, "shutdown requested (" + why + "): leaving the pool,"
                + " /ready answers 503; " + serving)) {
            Upgrade running = upgrade;
            if (running != null) {
                running.abort(why);
            }
            CompletableFuture.delayedExecutor(delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .execute(() -> shutdown(why));
            return new Message("leaving the pool: /ready answers 503; " + serving + ", then shutting down", pid,
                    java.util.Optional.of(delay.toMillis()));
        }
        if (lifecycle.state() == Lifecycle.State.LEAVING) {
            Log.info("shutdown requested again (" + why + ") during shutdown_delay: ending the delay");
            shutdown(why);
            return new Message("shutting down: shutdown_delay ended early", pid);
        }
        return new Message("shutting down", pid);
    }

    /** {@code 2m}, {@code 5s}, {@code 1500ms}: a delay as the configuration writes it. */
    private static String text(java.time.Duration delay) {
        long millis = delay.toMillis();
        return millis % 60_000 == 0 ? millis / 60_000 + "m" : millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** Begins a graceful shutdown once (at once: no {@code shutdown_delay}); later calls do nothing. */
    void shutdown(String why) {
        String line = "shutting down (" + why + "): stopping every worker";
        if (lifecycle.transitionTo(Lifecycle.State.STOPPING, line)) {
            stop(why, line);
        }
    }

    /** The graceful shutdown itself ({@code Shutdown}): the daemon exits once every worker has stopped. */
    private void stop(String why, String line) {
        stopReason = why;
        emit(Event.Type.DAEMON_STOPPING, why, line);
        Upgrade running = upgrade;
        if (running != null) {
            running.abort(why);
        }
        supervisor.shutdown().whenComplete((v, e) -> stopped.complete(null));
    }

    /**
     * {@code baton upgrade}, SIGUSR2: replaces this daemon with a new one ({@link Upgrade}). The returned future
     * completes once the new daemon is starting, with the future of the summary; it fails with
     * {@link IllegalStateException} when an upgrade or a reload is running, or Baton is shutting down, and with
     * {@link IllegalArgumentException} when Baton is PID 1 (of a container): the kernel ends every process of the
     * namespace, the new daemon included, when PID 1 exits.
     */
    CompletableFuture<CompletableFuture<UpgradeSummary>> upgrade(Consumer<ReloadStep> progress) {
        return CompletableFuture.supplyAsync(() -> {
            if (Posix.getpid() == 1) {
                Log.info("upgrade refused: Baton is PID 1");
                throw new IllegalArgumentException("cannot upgrade: Baton is PID 1 of its container, and the"
                        + " container ends when PID 1 exits; replace the container instead (a rolling update)");
            }
            if (shuttingDown()) {
                throw new IllegalStateException("Baton is shutting down");
            }
            if (!upgradeBusy.compareAndSet(null, "an upgrade is running")) {
                String why = "cannot upgrade: " + upgradeBusy.get();
                Log.info("upgrade refused: " + why);
                throw new IllegalStateException(why + "; wait for it to end, or use baton upgrade --wait");
            }
            try {
                List<String> reloading = onLoop(() -> supervisor.busyNow(List.of()));
                if (!reloading.isEmpty()) {
                    String why = "cannot upgrade: a reload of " + String.join(", ", reloading) + " is running";
                    Log.info("upgrade refused: " + why);
                    throw new IllegalStateException(why + "; wait for it to end, or use baton upgrade --wait");
                }
                List<dev.baton.proxy.Listener> listeners = onLoop(frontends::listeners);
                Upgrade started = new Upgrade(this, progress);
                upgrade = started;
                return started.start(listeners).whenComplete((summary, e) -> {
                    upgrade = null;
                    if (e != null || !summary.ok()) {
                        upgradeBusy.set(null);
                    }
                });
            } catch (RuntimeException e) {
                upgrade = null;
                upgradeBusy.set(null);
                throw e;
            }
        }, reloads::execute);
    }

    /**
     * The new daemon serves (it accepts on every listener): this one stops accepting, leaving the sockets to it,
     * then drains and stops as a graceful shutdown does, and exits. Its {@code /ready} answers 200 meanwhile: the
     * host never leaves the pool (the new daemon, which has bound the admin address too, answers it from its own
     * workers).
     */
    void handedOver(long newPid) {
        loop.execute(frontends::handOver);
        String why = "upgraded: pid " + newPid + " took over";
        String line = "shutting down (" + why + "): stopping every worker; /ready answers 200 until this daemon"
                + " exits";
        if (lifecycle.transitionTo(Lifecycle.State.HANDED_OVER, line)) {
            stop(why, line);
        }
    }

    /** Runs {@code task} on the supervisor loop; its value, or its exception, completes the answer. Any thread. */
    <T> CompletableFuture<T> submit(java.util.function.Supplier<T> task) {
        return loop.submit(task);
    }

    /** What TARGETs resolve to now: the running programs and the groups last applied. Loop thread. */
    TargetResolver targets() {
        return new TargetResolver(supervisor.configs(), groups);
    }

    /** Runs {@code task} on the supervisor loop and waits for it; its exception is rethrown as it was. */
    <T> T onLoop(java.util.function.Supplier<T> task) {
        try {
            return loop.submit(task).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** SIGUSR2: {@code baton upgrade}, its steps and outcome in Baton's log; refused (logged) when one is running. */
    private void upgradeOnSignal() {
        upgrade(step -> { }).whenComplete((summary, e) -> {
            if (e != null) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                Log.warn("SIGUSR2: upgrade refused: " + cause.getMessage());
            }
        });
    }

    /** Each handler only hands the work on: to the supervisor loop, or the reload thread. */
    void installSignals() {
        handle("TERM", () -> requestShutdown("SIGTERM"));
        handle("INT", () -> requestShutdown("SIGINT"));
        handle("HUP", reloads::reloadOnSignal);
        String suspendSignal = System.getenv("_JAVA_SR_SIGNUM");
        if (suspendSignal != null && !suspendSignal.strip().equals("12")) {
            handle("USR2", this::upgradeOnSignal);
        } else { // the JVM suspends threads with SIGUSR2 (a profiler's samples): they must not start upgrades
            Log.warn("SIGUSR2 is the JVM's own here (bin/baton sets _JAVA_SR_SIGNUM to free it): use baton upgrade");
        }
        handle("USR1", () -> loop.execute(() -> {
            logFiles.reopenAll();
            frontends.reopenLogs();
            Log.info("log files reopened (SIGUSR1)");
        }));
    }

    private static void handle(String name, Runnable action) {
        try {
            SignalHandler before = Signal.handle(new Signal(name), s -> {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    Log.error("handling SIG" + name + ": " + e, e);
                }
            });
            if (before == SignalHandler.SIG_IGN) { // the JVM leaves a signal ignored at its start ignored
                Log.warn("SIG" + name + " was ignored when Baton started and stays ignored: " + switch (name) {
                    case "HUP" -> "use baton reload (bin/baton run gives SIGHUP back its default; this JVM was"
                            + " started another way)";
                    case "INT" -> "stop it with SIGTERM or baton shutdown";
                    default -> "stop it with baton shutdown";
                });
            }
        } catch (IllegalArgumentException e) {
            Log.warn("cannot handle SIG" + name + ": " + e.getMessage());
        }
    }

    /**
     * On the loop, after every worker transition: the pid file follows (the supervisor tells the proxy), and an
     * exit, failed start or restart is queued for {@code event_command}.
     */
    private void workerChanged(WorkerChange change) {
        recordPids();
        Event.of(change, System.currentTimeMillis()).ifPresent(events::emit);
    }

    /** Resident bytes by process group, for max_memory: read on the metrics thread, every memory_check_interval. */
    private static Map<Integer, Long> residentBytes(Map<Integer, ProcessTable.Usage> usage) {
        Map<Integer, Long> bytes = new java.util.HashMap<>();
        usage.forEach((group, u) -> bytes.put(group, u.residentBytes()));
        return bytes;
    }

    /** The proxy's news about backends, handed to the supervisor (which enqueues it onto its loop). */
    private final class BackendEvents implements Frontends.Events {
        @Override
        public void ready(String program, BackendView.Key w) {
            supervisor.backendReady(program, w.id(), w.generation(), w.incarnation());
        }

        @Override
        public void drained(String program, BackendView.Key w) {
            supervisor.backendDrained(program, w.id(), w.generation(), w.incarnation());
        }

        @Override
        public void health(String program, BackendView.Key w, boolean routable) {
            supervisor.backendHealth(program, w.id(), w.generation(), w.incarnation(), routable);
        }
    }

    Frontends frontends() {
        return frontends;
    }

    private void recordPids() {
        if (!ownsPidFile) {
            return;
        }
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
