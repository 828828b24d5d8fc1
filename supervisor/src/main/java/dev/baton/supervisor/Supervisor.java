package dev.baton.supervisor;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.Signal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The programs Baton runs and the requests it answers. Public methods may be called from any thread: they enqueue
 * onto the {@link EventLoop} and answer through a future; all state is touched on the loop thread only.
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

    public Supervisor(WorkerContext ctx) {
        this(ctx, Traffic.NONE);
    }

    public Supervisor(WorkerContext ctx, Traffic traffic) {
        this.loop = ctx.loop();
        this.traffic = traffic;
        this.ctx = new WorkerContext(ctx.launcher(), ctx.loop(), ctx.logFiles(), ctx.hub(), ctx.logToStdout(),
                ctx.socketDir(), ctx.baseEnv(), w -> {
                    workerChanged(w);
                    ctx.onChange().accept(w);
                });
    }

    /** Creates every program and starts those with {@code autostart}, in priority order. */
    public void boot(BatonConfig config) {
        loop.execute(() -> {
            for (ProgramConfig p : config.programs()) {
                Program program = newProgram(p);
                if (p.autostart()) {
                    program.startAll();
                }
            }
        });
    }

    public CompletableFuture<List<WorkerStatus>> status() {
        return call(() -> allWorkers().stream().map(Worker::status).toList());
    }

    public CompletableFuture<List<Result>> start(List<String> targets) {
        return forEach(targets, w -> {
            if (w.state() == WorkerState.RUNNING) {
                return CompletableFuture.completedFuture(new Result(w.name(), true, "already running"));
            }
            w.start();
            return settle(w, Supervisor::startSettled).thenApply(s -> startResult(w, s));
        });
    }

    public CompletableFuture<List<Result>> stop(List<String> targets) {
        return forEach(targets, w -> {
            w.stop();
            return settle(w, s -> !s.hasProcess()).thenApply(s -> new Result(w.name(), true, "stopped"));
        });
    }

    public CompletableFuture<List<Result>> restart(List<String> targets) {
        return forEach(targets, w -> {
            w.stop();
            return settle(w, s -> !s.hasProcess()).thenComposeAsync(stopped -> {
                w.start();
                return settle(w, Supervisor::startSettled).thenApply(s -> startResult(w, s));
            }, loop::execute);
        });
    }

    public CompletableFuture<List<Result>> signal(Signal signal, List<String> targets) {
        return forEach(targets, w -> CompletableFuture.completedFuture(w.signal(signal)
                ? new Result(w.name(), true, "sent SIG" + signal.name())
                : new Result(w.name(), false, "not running (" + w.state() + ")")));
    }

    /**
     * Applies a re-read configuration ({@code baton reload}, SIGHUP). With no {@code names}: added programs start,
     * removed ones stop, and every program rolls to its next generation (see {@link Rollout}). With names, only
     * those programs. A program whose {@code numprocs} alone changed scales instead: workers are added or retired,
     * the others keep running. Completes, once every program's reload has ended, with one result each.
     *
     * @throws BusyException (through the future) when a named program is reloading already
     */
    public CompletableFuture<List<ReloadResult>> reload(BatonConfig config, List<String> names,
                                                        Consumer<ReloadEvent> progress) {
        return this.<CompletableFuture<List<ReloadResult>>>call(() -> {
            List<String> busy = busyAmong(names);
            if (!busy.isEmpty()) {
                throw new BusyException(busy);
            }
            List<CompletableFuture<ReloadResult>> results = new ArrayList<>();
            for (ProgramConfig p : config.programs()) {
                if (names.isEmpty() || names.contains(p.name())) {
                    results.add(reloadOne(p, progress));
                }
            }
            for (String name : new ArrayList<>(programs.keySet())) {
                if (config.program(name).isEmpty() && (names.isEmpty() || names.contains(name))) {
                    results.add(remove(programs.get(name), progress));
                }
            }
            return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                    .thenApply(v -> results.stream().map(CompletableFuture::join).toList());
        }).thenCompose(f -> f);
    }

    private CompletableFuture<ReloadResult> reloadOne(ProgramConfig next, Consumer<ReloadEvent> progress) {
        Program current = programs.get(next.name());
        if (current == null) {
            Program added = newProgram(next);
            startIfAuto(added);
            return done(progress, ReloadResult.of(next.name(), added.generation(), ReloadResult.Outcome.ADDED,
                    next.name() + ": added" + (next.autostart() ? ", starting " + next.numprocs() + " workers" : "")));
        }
        ProgramConfig old = current.config();
        if (old.numprocs() != next.numprocs() && old.withNumprocs(next.numprocs()).equals(next)) {
            return done(progress, scale(current, next));
        }
        int generation = generations.merge(next.name(), 1, Integer::sum);
        if (!current.running() && !next.autostart()) {
            for (int i = 0; i < next.numprocs(); i++) {
                current.swap(new Worker(next, i, generation, ctx));
            }
            current.applied(next, generation);
            return done(progress, ReloadResult.of(next.name(), generation, ReloadResult.Outcome.UPDATED,
                    next.name() + ": not running; generation " + generation + " applies at its next start"));
        }
        Rollout rollout = new Rollout(this, ctx, current, next, generation, traffic.proxied(next.name()), progress);
        current.rollout(rollout);
        rollout.start();
        return rollout.result().whenCompleteAsync((r, e) -> current.rollout(null), loop::execute);
    }

    private ReloadResult scale(Program program, ProgramConfig next) {
        int before = program.workers().size();
        if (next.numprocs() > before) {
            boolean start = next.autostart() || program.running();
            List<Worker> added = program.grow(next, ctx);
            if (start) {
                added.forEach(Worker::start);
            }
        } else {
            program.shrink(next).forEach(w -> retire(w, traffic.proxied(next.name()), "numprocs lowered"));
        }
        return ReloadResult.of(next.name(), program.generation(), ReloadResult.Outcome.SCALED,
                next.name() + ": scaled from " + before + " to " + next.numprocs() + " workers");
    }

    private CompletableFuture<ReloadResult> remove(Program program, Consumer<ReloadEvent> progress) {
        programs.remove(program.name());
        CompletableFuture<?>[] stops = program.workers().stream().map(w -> retire(w, false, "program removed"))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(stops).thenCompose(v -> done(progress, ReloadResult.of(program.name(),
                program.generation(), ReloadResult.Outcome.REMOVED, program.name() + ": removed, its workers stopped")));
    }

    private static CompletableFuture<ReloadResult> done(Consumer<ReloadEvent> progress, ReloadResult r) {
        Log.info("reload: " + r.message());
        progress.accept(new ReloadEvent(r.program(), "", r.generation(),
                r.outcome().name().toLowerCase(java.util.Locale.ROOT), r.message()));
        return CompletableFuture.completedFuture(r);
    }

    /** The programs among {@code names} (all when empty) that are reloading now. */
    public CompletableFuture<List<String>> busy(List<String> names) {
        return call(() -> busyAmong(names));
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

    private List<String> busyAmong(List<String> names) {
        return programs.values().stream()
                .filter(p -> p.rollout() != null && (names.isEmpty() || names.contains(p.name())))
                .map(Program::name).toList();
    }

    /** A reload is already running for these programs; the message is for the operator. */
    public static final class BusyException extends IllegalStateException {
        public BusyException(List<String> programs) {
            super("a reload of " + String.join(", ", programs) + " is already running; wait for it to end, or use"
                    + " baton reload --wait");
        }
    }

    /** The proxy saw a worker pass its first health check (and warm-up). Any thread. */
    public void backendReady(String program, String worker, int generation) {
        loop.execute(() -> {
            Program p = programs.get(program);
            Worker w = find(program, worker, generation);
            if (p != null && p.rollout() != null && w != null) {
                p.rollout().ready(w);
            }
        });
    }

    /** The proxy saw a draining worker run out of requests in flight. Any thread. */
    public void backendDrained(String program, String worker, int generation) {
        loop.execute(() -> {
            Worker w = find(program, worker, generation);
            if (w != null) {
                w.drained();
            }
        });
    }

    private Worker find(String program, String worker, int generation) {
        for (Worker w : allWorkers()) {
            if (w.name().equals(worker) && w.generation() == generation && w.config().name().equals(program)) {
                return w;
            }
        }
        return null;
    }

    Traffic traffic() {
        return traffic;
    }

    /**
     * Takes {@code w} out of its program: it drains first when {@code proxied}, else stops at once.
     * Completes once it has no process left.
     */
    CompletableFuture<Void> retire(Worker w, boolean proxied, String why) {
        keepServing(w);
        w.drain(proxied, why);
        return settle(w, s -> !s.hasProcess()).thenRunAsync(() -> {
            retiring.remove(w);
            w.releaseWaiters();
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

    /** After every transition of any worker: a reload in progress follows its workers. */
    private void workerChanged(Worker w) {
        Program p = programs.get(w.config().name());
        if (p != null && p.rollout() != null) {
            p.rollout().workerChanged(w);
        }
    }

    /** Stops every program, highest priority value first; completes when no worker process is left. */
    public CompletableFuture<Void> shutdown() {
        return this.<CompletableFuture<Void>>call(() -> {
            shuttingDown = true;
            programs.values().stream().filter(p -> p.rollout() != null).toList()
                    .forEach(p -> p.rollout().abort("Baton is shutting down"));
            TreeMap<Integer, List<Program>> byPriority = new TreeMap<>(Comparator.reverseOrder());
            for (Program p : programs.values()) {
                byPriority.computeIfAbsent(p.config().priority(), k -> new ArrayList<>()).add(p);
            }
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (List<Program> group : byPriority.values()) {
                chain = chain.thenComposeAsync(v -> CompletableFuture.allOf(
                        group.stream().map(Program::stopAll).toArray(CompletableFuture[]::new)), loop::execute);
            }
            List<CompletableFuture<Void>> all = new ArrayList<>(List.of(chain));
            for (Worker w : new ArrayList<>(retiring)) {
                w.stop();
                all.add(settle(w, s -> !s.hasProcess()).thenApply(s -> null));
            }
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        }).thenCompose(f -> f);
    }

    /** The workers of {@code program}, current and retiring generations; loop thread only. */
    public List<WorkerStatus> statusOf(String program) {
        return allWorkers().stream().filter(w -> w.config().name().equals(program)).map(Worker::status).toList();
    }

    /** Names of the configured programs; loop thread only. */
    public List<String> programNames() {
        return List.copyOf(programs.keySet());
    }

    /** Every worker with a process or a slot, current and retiring; loop thread only. */
    public List<Worker> allWorkers() {
        List<Worker> all = new ArrayList<>();
        for (Program p : programs.values()) {
            all.addAll(p.workers());
            if (p.rollout() != null) {
                all.addAll(p.rollout().pending());
            }
        }
        all.addAll(retiring);
        return all;
    }

    /** Completes once {@code w} is in a state satisfying {@code until}, now or after a later transition. */
    static CompletableFuture<WorkerState> settle(Worker w, Predicate<WorkerState> until) {
        return until.test(w.state()) ? CompletableFuture.completedFuture(w.state()) : w.await(until);
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

    private Program newProgram(ProgramConfig config) {
        int generation = generations.merge(config.name(), 1, Integer::sum);
        Program program = new Program(config, generation, ctx);
        programs.put(config.name(), program);
        return program;
    }

    private void startIfAuto(Program program) {
        if (program.config().autostart() && !shuttingDown) {
            program.startAll();
        }
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

    private List<Worker> resolve(String target) {
        if (target.equals("all")) {
            return programs.values().stream().flatMap(p -> p.workers().stream()).toList();
        }
        int colon = target.lastIndexOf(':');
        String name = colon < 0 ? target : target.substring(0, colon);
        Program program = programs.get(name);
        if (program == null) {
            throw new TargetException("no such program: " + name + known());
        }
        String index = colon < 0 ? "*" : target.substring(colon + 1);
        if (index.equals("*")) {
            return program.workers();
        }
        try {
            return List.of(program.workers().get(Integer.parseInt(index)));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new TargetException("no such worker: " + target + " (" + name + " has workers 0-"
                    + (program.workers().size() - 1) + ")");
        }
    }

    private String known() {
        return programs.isEmpty() ? " (no programs configured)" : " (programs: " + names(programs.keySet()) + ")";
    }

    private static String names(java.util.Collection<String> names) {
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private <T> CompletableFuture<T> call(java.util.function.Supplier<T> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                future.complete(task.get());
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        });
        return future;
    }
}
