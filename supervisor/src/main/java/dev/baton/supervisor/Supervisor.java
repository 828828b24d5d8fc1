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
    private final List<Program> retiring = new ArrayList<>();
    private final Map<String, Integer> generations = new TreeMap<>();
    /** Changed programs whose new generation waits for the old one to stop, with the config to start. */
    private final Map<String, ProgramConfig> replacing = new LinkedHashMap<>();
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
        this.loop = ctx.loop();
        this.ctx = ctx;
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
     * Applies a re-read configuration: new programs start, removed ones stop, changed ones restart as the next
     * generation; unchanged programs are left alone. Answers a one-line summary.
     */
    public CompletableFuture<String> reread(BatonConfig config) {
        return call(() -> {
            List<String> added = new ArrayList<>();
            List<String> changed = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            List<String> names = config.programs().stream().map(ProgramConfig::name).toList();
            for (ProgramConfig p : config.programs()) {
                Program current = programs.get(p.name());
                if (replacing.containsKey(p.name())) {
                    replacing.put(p.name(), p); // still stopping the old generation: the latest config wins
                    changed.add(p.name());
                } else if (current == null) {
                    added.add(p.name());
                    startIfAuto(newProgram(p));
                } else if (!current.config().equals(p)) {
                    changed.add(p.name());
                    replace(current, p);
                }
            }
            for (String name : new ArrayList<>(programs.keySet())) {
                if (!names.contains(name)) {
                    removed.add(name);
                    retire(programs.get(name));
                }
            }
            for (String name : new ArrayList<>(replacing.keySet())) {
                if (!names.contains(name)) {
                    removed.add(name);
                    replacing.remove(name);
                }
            }
            return "added " + names(added) + ", changed " + names(changed) + ", removed " + names(removed);
        });
    }

    /** Stops {@code current}, then starts the next generation with the config pending for it by then. */
    private void replace(Program current, ProgramConfig next) {
        replacing.put(current.name(), next);
        retire(current).thenRunAsync(() -> {
            ProgramConfig latest = replacing.remove(current.name());
            if (latest != null) {
                startIfAuto(newProgram(latest));
            }
        }, loop::execute);
    }

    /** Stops every program, highest priority value first; completes when no worker process is left. */
    public CompletableFuture<Void> shutdown() {
        return this.<CompletableFuture<Void>>call(() -> {
            shuttingDown = true;
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
            retiring.forEach(p -> all.add(p.stopAll()));
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        }).thenCompose(f -> f);
    }

    /** The workers of {@code program}, current and retiring generations; loop thread only. */
    List<WorkerStatus> statusOf(String program) {
        return allWorkers().stream().filter(w -> w.config().name().equals(program)).map(Worker::status).toList();
    }

    /** Names of the configured programs; loop thread only. */
    List<String> programNames() {
        return List.copyOf(programs.keySet());
    }

    /** Every worker with a process or a slot, current and retiring; loop thread only. */
    List<Worker> allWorkers() {
        List<Worker> all = new ArrayList<>();
        programs.values().forEach(p -> all.addAll(p.workers()));
        retiring.forEach(p -> all.addAll(p.workers()));
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

    private CompletableFuture<Void> retire(Program program) {
        programs.remove(program.name());
        retiring.add(program);
        return program.stopAll().whenCompleteAsync((v, e) -> {
            retiring.remove(program);
            program.release();
        }, loop::execute);
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
