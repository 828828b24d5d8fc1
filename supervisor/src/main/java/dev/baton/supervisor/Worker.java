package dev.baton.supervisor;

import dev.baton.conf.AutoRestart;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.Signal;
import dev.baton.supervisor.process.ChildProcess;
import dev.baton.supervisor.process.ExitStatus;
import dev.baton.supervisor.log.LogFiles.LogFileException;
import dev.baton.supervisor.process.SpawnException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * One worker slot of a program generation and the process currently filling it, as a state machine (see
 * {@link WorkerState}). Slot {@code s} holds worker number {@code numprocs_start + s}: the number is its identity
 * for users ({@code web:8} in targets, {@code {worker}}, {@code BATON_WORKER}, log files, metrics), the slot stays
 * internal. Its name ({@code process_name}, {@code web:8} by default) is what status and logs show. Every method runs on the {@link EventLoop} thread; process exits and timers
 * come back through it. Events about a process that is no longer the current one are ignored.
 */
public final class Worker {

    private final Generation generation;
    private final ProgramConfig config;
    private final int slot;
    private final int number;
    private final int incarnation;
    private final WorkerContext ctx;
    private final String id;
    private final String name;
    private final Wear wear;
    private final List<Waiter> waiters = new ArrayList<>();

    private WorkerState state = WorkerState.STOPPED;
    private long since;
    private String reason = "not started";
    private ChildProcess process;
    private WorkerOutput output;
    private WorkerLaunch launch;
    private long startedAt;
    private int lastPid;
    private int failedStarts;
    private int crashStreak;
    private int restarts;
    private int recycled;
    private String lastRecycle = "";
    private boolean startAfterStop;
    private ExitStatus lastExit;
    private String spawnError;
    private List<String> recentLines = List.of();
    private EventLoop.Timer timer;

    private record Waiter(Predicate<WorkerState> until, CompletableFuture<WorkerState> future) {
    }

    /** Slot {@code slot} (0 to numprocs - 1) of {@code generation}. */
    public Worker(Generation generation, int slot, WorkerContext ctx) {
        this(generation, slot, 0, ctx);
    }

    /**
     * Slot {@code slot} of {@code generation}; {@code incarnation} 0 for the generation's first worker in the slot,
     * 1, 2... for the workers that replaced it within the generation (recycling): each is a backend of its own.
     */
    Worker(Generation generation, int slot, int incarnation, WorkerContext ctx) {
        this.generation = generation;
        this.config = generation.config();
        this.slot = slot;
        this.number = config.workerNumber(slot);
        this.incarnation = incarnation;
        this.ctx = ctx;
        this.id = config.name() + ":" + number;
        this.name = config.workerName(number);
        this.since = ctx.loop().nowMillis();
        this.wear = new Wear(config.recycle());
    }

    /** The worker that will replace this one in its slot (recycling): same generation, next incarnation. */
    Worker successor(int nextIncarnation, String why) {
        Worker next = new Worker(generation, slot, nextIncarnation, ctx);
        next.recycled = recycled + 1;
        next.lastRecycle = why;
        next.restarts = restarts;
        return next;
    }

    /** 0 for the generation's first worker in this slot, then 1, 2... for each worker that replaced it. */
    public int incarnation() {
        return incarnation;
    }

    /** What wears this worker out: its recycling limits and readings. */
    Wear wear() {
        return wear;
    }

    /** When the current process was spawned (loop clock), 0 when none runs. */
    long startedAt() {
        return process == null ? 0 : startedAt;
    }

    /**
     * The worker's name, {@code process_name} expanded ({@code web:8} by default, {@code web_08}...): what status
     * and logs show, and its backend's id in the proxy.
     */
    public String name() {
        return name;
    }

    /** {@code program:number} ({@code web:8}) whatever its name: the source of its log lines, events, metrics. */
    public String id() {
        return id;
    }

    /** Its number, {@code numprocs_start + slot}: {@code {worker}}, {@code BATON_WORKER}, {@code web:8}. */
    public int number() {
        return number;
    }

    /** Its place among the program's workers, 0 to numprocs - 1. */
    int slot() {
        return slot;
    }

    /** The generation number. */
    public int generation() {
        return generation.number();
    }

    /** The generation this worker belongs to, with the configuration it runs. */
    public Generation gen() {
        return generation;
    }

    public WorkerState state() {
        return state;
    }

    public ProgramConfig config() {
        return config;
    }

    /** How the last process of this worker ended; null before the first exit. */
    ExitStatus lastExit() {
        return lastExit;
    }

    /**
     * Why a new worker (a reload's, or a recycling successor) ended before it was ready: it exited too quickly,
     * whatever {@code startsecs} says, could not start, or was stopped.
     */
    String whyNotReady() {
        if (state == WorkerState.STOPPED) {
            return "stopped";
        }
        if (spawnError != null) {
            return "cannot start: " + spawnError;
        }
        return "exited too quickly: " + (lastExit == null ? state.name() : lastExit.describe());
    }

    /** Why the last spawn failed before any process ran ({@code directory ... does not exist}); null otherwise. */
    String spawnError() {
        return spawnError;
    }

    /**
     * True when a process of this worker runs or will run without anyone asking: starting, running, retrying after
     * a failed start, restarting after a crash, or restarting after a stop ({@code baton restart}). False when it is
     * stopped, stopping for good, FATAL, or exited for good.
     */
    public boolean comingBack() {
        return switch (state) {
            case STARTING, RUNNING, BACKOFF -> true;
            case EXITED -> timer != null;
            case STOPPING, STOPPED -> startAfterStop; // STOPPED: seen in the instant before the restart
            default -> false;
        };
    }

    /** The last lines the current (or last) process printed, oldest first: a failed start's traceback. */
    List<String> recentLines() {
        return output != null ? output.recentLines() : recentLines;
    }

    /** Starts the worker unless a process is already up; a manual start forgets earlier failures. */
    public void start() {
        if (state == WorkerState.STOPPING) {
            startAfterStop = true;
            return;
        }
        if (state.hasProcess()) {
            return;
        }
        failedStarts = 0;
        crashStreak = 0;
        spawn();
    }

    /**
     * Stops the worker: stop signal, then SIGKILL after {@code stopwaitsecs}; cancels any pending restart. A stop
     * while STOPPING keeps the SIGKILL deadline already running.
     */
    public void stop() {
        startAfterStop = false;
        if (state == WorkerState.STOPPING || state == WorkerState.STOPPED) {
            return;
        }
        cancelTimer();
        switch (state) {
            case STARTING, RUNNING, DRAINING -> beginStop("stopping");
            case BACKOFF, EXITED, FATAL -> transitionTo(WorkerState.STOPPED, "stopped");
            default -> { }
        }
    }

    /**
     * Stops the worker if a process runs, then starts it again; it counts as coming back throughout (requests
     * wait for it instead of getting 503).
     */
    public void restart() {
        stop();
        if (state == WorkerState.STOPPING) {
            startAfterStop = true;
        } else {
            start();
        }
    }

    /** True while a stop is under way that a start will follow ({@link #restart}). */
    boolean startPending() {
        return startAfterStop;
    }

    /**
     * Retires a worker replaced by a newer generation. When {@code proxied}, it goes DRAINING: no new requests;
     * the stop signal follows at {@link #drained()} or after {@code stopwaitsecs}. Otherwise it stops at once.
     */
    public void drain(boolean proxied, String why) {
        startAfterStop = false;
        if (!proxied || (state != WorkerState.STARTING && state != WorkerState.RUNNING)) {
            stop();
            return;
        }
        cancelTimer();
        ChildProcess child = process;
        transitionTo(WorkerState.DRAINING, why);
        timer = ctx.loop().schedule(() -> drainTimedOut(child), config.stopwaitsecs() * 1000L);
    }

    /** The proxy says no request is in flight on this worker any more: a DRAINING worker stops now. */
    public void drained() {
        if (state == WorkerState.DRAINING) {
            cancelTimer();
            beginStop("stopping: no request in flight");
        }
    }

    private void drainTimedOut(ChildProcess child) {
        if (child == process && state == WorkerState.DRAINING) {
            beginStop("stopping: still busy after stopwaitsecs (" + config.stopwaitsecs() + "s)");
        }
    }

    /** Sends {@code signal} to the worker's process (not its group); false when no process runs. */
    public boolean signal(Signal signal) {
        return process != null && process.signal(signal, false);
    }

    /** Completes once the worker is in a state satisfying {@code until}: at once, or after a later transition. */
    public CompletableFuture<WorkerState> until(Predicate<WorkerState> until) {
        return until.test(state) ? CompletableFuture.completedFuture(state) : await(until);
    }

    /** Completes with the state reached once a transition satisfies {@code until} (not the current state). */
    public CompletableFuture<WorkerState> await(Predicate<WorkerState> until) {
        CompletableFuture<WorkerState> future = new CompletableFuture<>();
        waiters.add(new Waiter(until, future));
        return future;
    }

    /** A snapshot of this worker; {@code held} is false (the supervisor knows whether the worker is held). */
    public WorkerStatus status() {
        int pid = process == null ? 0 : process.pid();
        return new WorkerStatus(name, config.name(), number, generation.number(), state, pid, since,
                process == null ? 0 : startedAt, reason, restarts,
                launch == null ? 0 : launch.port(), launch == null ? null : launch.socket(), false, incarnation,
                recycled, lastRecycle);
    }

    private void spawn() {
        cancelTimer();
        WorkerLaunch next;
        try {
            next = WorkerLaunch.prepare(config, number, generation.number(), incarnation, ctx);
        } catch (SpawnException e) {
            spawnFailed(e.getMessage());
            return;
        }
        WorkerOutput out;
        try {
            out = new WorkerOutput(id, name, config, number, ctx);
        } catch (LogFileException e) {
            spawnFailed(e.getMessage());
            return;
        }
        try {
            process = ctx.launcher().start(next.spec(),
                    out.listener(status -> ctx.loop().execute(() -> exited(out, status))));
        } catch (SpawnException | RuntimeException e) {
            out.close();
            spawnFailed(e.getMessage());
            return;
        }
        spawnError = null;
        process.killGroupOnExit(config.killasgroup());
        lastPid = process.pid();
        output = out;
        launch = next;
        startedAt = ctx.loop().nowMillis();
        transitionTo(WorkerState.STARTING, "");
        if (config.startsecs() == 0) {
            transitionTo(WorkerState.RUNNING, "");
        } else {
            ChildProcess child = process;
            timer = ctx.loop().schedule(() -> startsecsElapsed(child), config.startsecs() * 1000L);
        }
    }

    private void startsecsElapsed(ChildProcess child) {
        if (child == process && state == WorkerState.STARTING) {
            failedStarts = 0;
            transitionTo(WorkerState.RUNNING, "");
        }
    }

    private void exited(WorkerOutput out, ExitStatus status) {
        if (out != output) {
            return;
        }
        String last = out.lastLine();
        recentLines = out.recentLines();
        lastExit = status;
        process = null;
        output = null;
        cancelTimer();
        switch (state) {
            case DRAINING -> transitionTo(WorkerState.STOPPED, "exited while draining: " + status.describe(),
                    status);
            case STOPPING -> {
                transitionTo(WorkerState.STOPPED, "stopped (" + status.describe() + ")", status);
                if (startAfterStop) {
                    startAfterStop = false;
                    start();
                }
            }
            case STARTING -> failedStart("exited too quickly: " + status.describe() + lastOutput(last), status);
            case RUNNING -> exitedWhileRunning(status, last);
            default -> Log.warn(name + ": unexpected exit in state " + state + ": " + status.describe());
        }
    }

    private void exitedWhileRunning(ExitStatus status, String last) {
        boolean expected = !status.killedBySignal() && config.exitcodes().contains(status.code());
        boolean restart = config.autorestart() == AutoRestart.ALWAYS
                || (config.autorestart() == AutoRestart.UNEXPECTED && !expected);
        String what = status.describe() + (expected ? " (expected)" : "")
                + (status.killedBySignal() ? "" : lastOutput(last));
        if (!restart) {
            transitionTo(WorkerState.EXITED, what, status);
            return;
        }
        long uptime = ctx.loop().nowMillis() - startedAt;
        crashStreak = uptime >= Backoff.STABLE_MILLIS ? 1 : crashStreak + 1;
        long delay = Backoff.afterCrash(crashStreak);
        timer = ctx.loop().schedule(this::restartAfterExit, delay); // before the transition: it is coming back
        transitionTo(WorkerState.EXITED, what + "; restarting in " + seconds(delay), status);
    }

    private void restartAfterExit() {
        if (state == WorkerState.EXITED) {
            restarts++;
            spawn();
        }
    }

    private void spawnFailed(String why) {
        spawnError = why;
        failedStart("cannot start: " + why, null);
    }

    /** A start failed: {@code exit} is how its process ended, null when none could be spawned. */
    private void failedStart(String why, ExitStatus exit) {
        failedStarts++;
        if (failedStarts > config.startretries()) {
            transitionTo(WorkerState.FATAL, "gave up after " + failedStarts + " failed starts: " + why, exit);
            return;
        }
        long delay = Backoff.afterFailedStart(failedStarts);
        transitionTo(WorkerState.BACKOFF, why + "; retrying in " + seconds(delay), exit);
        timer = ctx.loop().schedule(this::retryAfterBackoff, delay);
    }

    private void retryAfterBackoff() {
        if (state == WorkerState.BACKOFF) {
            spawn();
        }
    }

    private void beginStop(String why) {
        ChildProcess child = process;
        transitionTo(WorkerState.STOPPING, why);
        if (!child.signal(config.stopsignal(), config.stopasgroup())) {
            Log.debug(name + ": stop signal found no process; waiting for its exit");
        }
        timer = ctx.loop().schedule(() -> stopTimedOut(child), config.stopwaitsecs() * 1000L);
    }

    private void stopTimedOut(ChildProcess child) {
        if (child == process && state == WorkerState.STOPPING) {
            Log.warn(name + ": still running " + config.stopwaitsecs() + "s after SIG" + config.stopsignal()
                    + "; sending SIGKILL" + (config.killasgroup() ? " to its process group" : ""));
            child.signal(Signal.KILL, config.killasgroup());
        }
    }

    private void transitionTo(WorkerState next, String why) {
        transitionTo(next, why, null);
    }

    /** Changes the state, logs it and tells the waiters and the context; {@code exit} when an exit caused it. */
    private void transitionTo(WorkerState next, String why, ExitStatus exit) {
        WorkerState previous = state;
        state = next;
        reason = why;
        since = ctx.loop().nowMillis();
        int pid = process != null || previous.hasProcess() ? lastPid : 0;
        String line = name + " [gen " + generation.number() + "] " + previous + " -> " + next
                + (pid != 0 ? " pid " + pid : "") + (why.isEmpty() ? "" : ": " + why);
        Log.info(line);
        notifyWaiters();
        ctx.onChange().accept(new WorkerChange(this, previous, next, why, pid, exit, line));
    }

    private void notifyWaiters() {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.until().test(state)) {
                it.remove();
                w.future().complete(state);
            }
        }
    }

    /** Completes every pending waiter with the current state; used when the worker is dropped. */
    void releaseWaiters() {
        for (Waiter w : waiters) {
            w.future().complete(state);
        }
        waiters.clear();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private static String lastOutput(String last) {
        return last.isEmpty() ? "" : "; last output: " + last;
    }

    private static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
