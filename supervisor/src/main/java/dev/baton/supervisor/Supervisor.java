package dev.baton.supervisor;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.Signal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The programs Baton runs and the requests it answers. Public methods may be called from any thread: they enqueue
 * onto the {@link EventLoop} and answer through a future; all state is touched on the loop thread only. Methods
 * documented "loop thread" are for tasks already running there.
 *
 * <p>Targets name workers: {@code all}, a program ({@code web}, also {@code web:*}) or one worker ({@code web:2}).
 */
public final class Supervisor {

    private final EventLoop loop;
    private final WorkerContext ctx;
    private final Map<String, Program> programs = new LinkedHashMap<>();
    /** Workers taken out of their program (replaced, scaled away, removed) until their process is gone. */
    private final List<Worker> retiring = new ArrayList<>();
    private final Map<String, Integer> generations = new TreeMap<>();
    private final Traffic traffic;
    private final Recycler recycler;
    private boolean shuttingDown;

    /** The outcome for one worker of a start/stop/restart/signal request. */
    public record Result(String worker, boolean ok, String message) {
    }

    /** A request named a program or worker that does not exist; the message is for the operator. */
    public static final class TargetException extends IllegalArgumentException {
        public TargetException(String message) {
            super(message);
        }
    }

    /** A reload is already running for these programs; the message is for the operator. */
    public static final class BusyException extends IllegalStateException {
        public BusyException(List<String> programs) {
            super("a reload of " + String.join(", ", programs) + " is already running; wait for it to end, or use"
                    + " baton reload --wait");
        }
    }

    public Supervisor(WorkerContext ctx) {
        this(ctx, Traffic.NONE);
    }

    public Supervisor(WorkerContext ctx, Traffic traffic) {
        this(ctx, traffic, MemoryProbe.NONE);
    }

    /** {@code memory} reads the workers' memory for {@code max_memory}. */
    public Supervisor(WorkerContext ctx, Traffic traffic, MemoryProbe memory) {
        this.loop = ctx.loop();
        this.traffic = traffic;
        this.recycler = new Recycler(this, memory);
        this.ctx = new WorkerContext(ctx.launcher(), ctx.loop(), ctx.logFiles(), ctx.hub(), ctx.logToStdout(),
                ctx.socketDir(), ctx.baseEnv(), change -> {
                    workerChanged(change.worker());
                    ctx.onChange().accept(change);
                });
    }

    /** Creates every program and starts those with {@code autostart}, in priority order. */
    public void boot(BatonConfig config) {
        loop.execute(() -> {
            recycler.start();
            for (ProgramConfig p : config.programs()) {
                Program program = newProgram(p);
                if (p.autostart()) {
                    program.startAll();
                }
                publish(p.name()); // after the start: until then it would look stopped (503 at once)
            }
        });
    }

    /**
     * The start of a daemon that takes over from a running one ({@code baton upgrade}): every program starts the
     * way a reload starts a new generation, its workers held out of traffic until ready (health check, warm-up),
     * within {@code start_timeout}, a failure rolled back with the worker's last lines; progress as a reload's.
     * Each program first gets a generation 0 that only holds its slots (nothing runs), so that its first real
     * generation is number 1. Completes with one result per program once every program's start has ended.
     */
    public CompletableFuture<List<ReloadResult>> warmBoot(BatonConfig config, Consumer<ReloadEvent> progress) {
        return this.<CompletableFuture<List<ReloadResult>>>call(() -> {
            recycler.start();
            for (ProgramConfig p : config.programs()) {
                programs.put(p.name(), new Program(Generation.first(p, 0), ctx));
            }
            return new Reload(this, config, List.of(), Map.of(), progress).apply();
        }).thenCompose(f -> f);
    }

    public CompletableFuture<List<WorkerStatus>> status() {
        return call(() -> allWorkers().stream().map(this::statusOf).toList());
    }

    public CompletableFuture<List<Result>> start(List<String> targets) {
        return forEach(targets, w -> {
            if (w.state() == WorkerState.RUNNING) {
                return CompletableFuture.completedFuture(new Result(w.name(), true, "already running"));
            }
            w.start();
            return w.until(Supervisor::startSettled).thenApply(s -> startResult(w, s));
        });
    }

    public CompletableFuture<List<Result>> stop(List<String> targets) {
        return forEach(targets, w -> {
            cancelReplacement(w, "its worker was stopped");
            w.stop();
            return w.until(s -> !s.hasProcess()).thenApply(s -> new Result(w.name(), true, "stopped"));
        });
    }

    public CompletableFuture<List<Result>> restart(List<String> targets) {
        return forEach(targets, w -> {
            cancelReplacement(w, "its worker was restarted");
            w.restart();
            return w.until(s -> startSettled(s) && !(s == WorkerState.STOPPED && w.startPending()))
                    .thenApply(s -> startResult(w, s));
        });
    }

    public CompletableFuture<List<Result>> signal(Signal signal, List<String> targets) {
        return forEach(targets, w -> CompletableFuture.completedFuture(w.signal(signal)
                ? new Result(w.name(), true, "sent SIG" + signal.name())
                : new Result(w.name(), false, "not running (" + w.state() + ")")));
    }

    /**
     * Applies a re-read configuration ({@code baton reload}, SIGHUP) as one transaction on the loop; see
     * {@link Reload}. {@code refused} names programs whose new listen addresses could not be bound, with the
     * one-line reason: those are rolled back before anything starts. Completes, once every program's reload has
     * ended, with one result each.
     *
     * @throws BusyException (through the future) when a named program is reloading already
     */
    public CompletableFuture<List<ReloadResult>> reload(BatonConfig config, List<String> names,
                                                        Map<String, String> refused, Consumer<ReloadEvent> progress) {
        return this.<CompletableFuture<List<ReloadResult>>>call(
                () -> new Reload(this, config, names, refused, progress).apply()).thenCompose(f -> f);
    }

    public CompletableFuture<List<ReloadResult>> reload(BatonConfig config, List<String> names,
                                                        Consumer<ReloadEvent> progress) {
        return reload(config, names, Map.of(), progress);
    }

    /** {@link #reload} from a task already running on the loop: starts at once. Loop thread. */
    public CompletableFuture<List<ReloadResult>> reloadNow(BatonConfig config, List<String> names,
                                                           Map<String, String> refused,
                                                           Consumer<ReloadEvent> progress) {
        return new Reload(this, config, names, refused, progress).apply();
    }

    /** The programs among {@code names} (all when empty) that are reloading now; loop thread. */
    public List<String> busyNow(List<String> names) {
        return programs.values().stream()
                .filter(p -> p.rollout() != null && (names.isEmpty() || names.contains(p.name())))
                .map(Program::name).toList();
    }

    /** Completes once none of {@code names} (all when empty) is reloading. */
    public CompletableFuture<Void> whenIdle(List<String> names) {
        return this.<CompletableFuture<Void>>call(() -> {
            CompletableFuture<?>[] running = programs.values().stream()
                    .filter(p -> p.rollout() != null && (names.isEmpty() || names.contains(p.name())))
                    .map(p -> p.rollout().result()).toArray(CompletableFuture[]::new);
            return running.length == 0 ? CompletableFuture.<Void>completedFuture(null)
                    : CompletableFuture.allOf(running).handle((v, e) -> null).thenCompose(v -> whenIdle(names));
        }).thenCompose(f -> f);
    }

    /** The proxy saw a worker pass its first health check (and warm-up). Any thread. */
    public void backendReady(String program, String worker, int generation, int incarnation) {
        loop.execute(() -> {
            Program p = programs.get(program);
            Worker w = find(program, worker, generation, incarnation);
            if (p == null || w == null) {
                return;
            }
            if (p.rollout() != null) {
                p.rollout().ready(w);
            }
            List.copyOf(p.replacements()).forEach(r -> r.ready(w));
        });
    }

    /** The proxy saw a draining worker run out of requests in flight. Any thread. */
    public void backendDrained(String program, String worker, int generation, int incarnation) {
        loop.execute(() -> {
            Worker w = find(program, worker, generation, incarnation);
            if (w != null) {
                w.drained();
            }
        });
    }

    /**
     * The proxy took a serving worker out of traffic ({@code routable} false: its checks failed) or let it back in.
     * Any thread.
     */
    public void backendHealth(String program, String worker, int generation, int incarnation, boolean routable) {
        loop.execute(() -> {
            Worker w = find(program, worker, generation, incarnation);
            if (w == null) {
                return;
            }
            if (routable) {
                w.wear().readmitted();
            } else {
                w.wear().ejected(loop.nowMillis());
            }
        });
    }

    /** How many workers recycling replaced, per program and cause, since Baton started. */
    public CompletableFuture<Map<String, Map<String, Long>>> recycledCounts() {
        return call(recycler::counts);
    }

    /** Stops every program gracefully (see {@link Shutdown}); completes when no worker process is left. */
    public CompletableFuture<Void> shutdown() {
        return this.<CompletableFuture<Void>>call(() -> {
            shuttingDown = true;
            recycler.stop();
            programs.values().forEach(p -> p.cancelReplacements("Baton is shutting down"));
            return new Shutdown(this).run();
        }).thenCompose(f -> f);
    }

    // ---- state shared with Reload, Rollout and Shutdown (loop thread) ----------------------------------------

    EventLoop loop() {
        return loop;
    }

    WorkerContext ctx() {
        return ctx;
    }

    Traffic traffic() {
        return traffic;
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    Map<String, Program> programs() {
        return programs;
    }

    List<Worker> retiring() {
        return retiring;
    }

    /** The next generation number of {@code program}; numbers are never reused, even after a removal. */
    int nextGeneration(String program) {
        return generations.merge(program, 1, Integer::sum);
    }

    Program newProgram(ProgramConfig config) {
        Program program = new Program(Generation.first(config, nextGeneration(config.name())), ctx);
        programs.put(config.name(), program);
        return program;
    }

    Recycler recycler() {
        return recycler;
    }

    private void cancelReplacement(Worker w, String why) {
        Program p = programs.get(w.config().name());
        if (p != null) {
            List.copyOf(p.replacements()).stream().filter(r -> r.old() == w).forEach(r -> r.cancel(why));
        }
    }

    /** True when {@code w}'s generation is served through the proxy: it is ready once checked, and drains. */
    static boolean proxied(Worker w) {
        return w.config().proxy().isPresent();
    }

    /**
     * Takes {@code w} out of its program: it drains first when {@code drain}, else stops at once. Completes once
     * it has no process left; its generation is RETIRING once no slot holds it, RETIRED once its last worker is
     * gone.
     */
    CompletableFuture<Void> retire(Worker w, boolean drain, String why) {
        keepServing(w);
        Program p = programs.get(w.config().name());
        if (p == null || p.workers().stream().noneMatch(o -> o.gen() == w.gen())) {
            w.gen().transitionTo(Generation.State.RETIRING, why);
        }
        w.drain(drain, why);
        return w.until(s -> !s.hasProcess()).thenRunAsync(() -> {
            retiring.remove(w);
            w.releaseWaiters();
            if (allWorkers().stream().noneMatch(o -> o.gen() == w.gen())
                    && w.gen().state() == Generation.State.RETIRING) {
                w.gen().transitionTo(Generation.State.RETIRED, "its last worker is gone");
            }
            publish(w.config().name());
        }, loop::execute);
    }

    /**
     * Keeps a worker that just left its slot among the workers Baton lists (to the proxy, status, the pid file)
     * until it is retired and gone: without it, the proxy would forget the requests it is serving.
     */
    void keepServing(Worker w) {
        if (!retiring.contains(w)) {
            retiring.add(w);
        }
    }

    /** After every transition of any worker: a reload in progress follows its workers, and the proxy's view. */
    private void workerChanged(Worker w) {
        Program p = programs.get(w.config().name());
        if (p != null && p.rollout() != null) {
            p.rollout().workerChanged(w);
        }
        if (p != null) {
            List.copyOf(p.replacements()).forEach(r -> r.workerChanged(w));
        }
        publish(w.config().name());
    }

    /** Hands the proxy the program's workers and their roles now; loop thread. */
    public void publish(String program) {
        traffic.publish(roster(program));
    }

    /** The program's workers, current and retiring generations, as the proxy must see them; loop thread. */
    Roster roster(String name) {
        Program p = programs.get(name);
        return Roster.of(name, p, workersOf(name).stream().map(w -> new Roster.Member(statusOf(w), w.config(),
                Roster.role(w, p))).filter(m -> m.role() != null).toList(), shuttingDown);
    }

    /** The workers of {@code program}, current and retiring generations; loop thread. */
    public List<WorkerStatus> statusOf(String program) {
        return workersOf(program).stream().map(this::statusOf).toList();
    }

    private List<Worker> workersOf(String program) {
        return allWorkers().stream().filter(w -> w.config().name().equals(program)).toList();
    }

    /** Names of the configured programs; loop thread. */
    public List<String> programNames() {
        return List.copyOf(programs.keySet());
    }

    /** The configuration each program runs (its serving generation's), in start order; loop thread. */
    public List<ProgramConfig> configs() {
        return programs.values().stream().map(Program::config).toList();
    }

    /** Every worker with a process or a slot, current and retiring; loop thread. */
    public List<Worker> allWorkers() {
        List<Worker> all = new ArrayList<>();
        for (Program p : programs.values()) {
            all.addAll(p.workers());
            if (p.rollout() != null) {
                all.addAll(p.rollout().pending());
            }
            p.replacements().forEach(r -> all.add(r.next()));
        }
        all.addAll(retiring);
        return all;
    }

    /** {@code w}'s status, {@code held} when it sits in a reload's batch not yet switched in; loop thread. */
    public WorkerStatus statusOf(Worker w) {
        Program p = programs.get(w.config().name());
        boolean held = p != null && p.holds(w);
        return held ? w.status().asHeld() : w.status();
    }

    private static boolean startSettled(WorkerState s) {
        return s == WorkerState.RUNNING || s == WorkerState.FATAL || s == WorkerState.STOPPED;
    }

    private static Result startResult(Worker w, WorkerState s) {
        if (s == WorkerState.RUNNING) {
            return new Result(w.name(), true, "started");
        }
        return new Result(w.name(), false, s + ": " + w.status().reason());
    }

    private Worker find(String program, String worker, int generation, int incarnation) {
        for (Worker w : allWorkers()) {
            if (w.name().equals(worker) && w.generation() == generation && w.incarnation() == incarnation
                    && w.config().name().equals(program)) {
                return w;
            }
        }
        return null;
    }

    private CompletableFuture<List<Result>> forEach(List<String> targets,
                                                    Function<Worker, CompletableFuture<Result>> action) {
        return this.<CompletableFuture<List<Result>>>call(() -> {
            List<Worker> selected = resolve(targets);
            List<CompletableFuture<Result>> results = selected.stream().map(action).toList();
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                    .thenApply(v -> results.stream().map(CompletableFuture::join).toList());
        }).thenCompose(f -> f);
    }

    private List<Worker> resolve(List<String> targets) {
        if (targets.isEmpty()) {
            throw new TargetException("no target given (use a program name, NAME:N or all)");
        }
        List<Worker> selected = new ArrayList<>();
        for (String target : targets) {
            for (Worker w : resolve(target)) {
                if (!selected.contains(w)) {
                    selected.add(w);
                }
            }
        }
        return selected;
    }

    private List<Worker> resolve(String text) {
        Target target;
        try {
            target = Target.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TargetException(e.getMessage());
        }
        if (target.isAll()) {
            return programs.values().stream().flatMap(p -> p.workers().stream()).toList();
        }
        Program program = programs.get(target.program());
        if (program == null) {
            throw new TargetException("no such program: " + target.program() + (programs.isEmpty()
                    ? " (no programs configured)" : " (programs: " + String.join(", ", programs.keySet()) + ")"));
        }
        List<Worker> workers = program.workers();
        if (target.isProgram()) {
            return workers;
        }
        for (Worker w : workers) {
            if (w.number() == target.index()) {
                return List.of(w);
            }
        }
        int first = program.config().workerNumber(0);
        throw new TargetException("no such worker: " + target + " (" + program.name()
                + (workers.isEmpty() ? " has no workers)" : " has workers " + first + "-" + (first + workers.size() - 1)
                + ")"));
    }

    private <T> CompletableFuture<T> call(Supplier<T> task) {
        return loop.submit(task);
    }
}
