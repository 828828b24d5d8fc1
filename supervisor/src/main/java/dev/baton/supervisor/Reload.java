package dev.baton.supervisor;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ProgramConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One re-read configuration applied as a single transaction on the supervisor loop ({@code baton reload}, SIGHUP).
 * With no names: added programs start, removed ones are retired, and every program rolls to its next generation
 * ({@link Rollout}); with names, only those programs. A program whose {@code numprocs} alone changed scales
 * instead: workers are added or retired, the others keep running. A program named in {@code refused} (its new
 * listen address could not be bound) is rolled back at once with that reason, its generation untouched.
 */
final class Reload {

    private final Supervisor supervisor;
    private final BatonConfig config;
    private final List<String> names;
    private final Map<String, String> refused;
    private final Consumer<ReloadEvent> progress;

    Reload(Supervisor supervisor, BatonConfig config, List<String> names, Map<String, String> refused,
           Consumer<ReloadEvent> progress) {
        this.supervisor = supervisor;
        this.config = config;
        this.names = List.copyOf(names);
        this.refused = Map.copyOf(refused);
        this.progress = progress;
    }

    /** Starts every program's part; completes with their results once all have ended. Loop thread. */
    CompletableFuture<List<ReloadResult>> apply() {
        if (supervisor.shuttingDown()) {
            throw new IllegalStateException("Baton is shutting down");
        }
        List<String> busy = supervisor.busyNow(names);
        if (!busy.isEmpty()) {
            throw new Supervisor.BusyException(busy);
        }
        List<CompletableFuture<ReloadResult>> results = new ArrayList<>();
        for (ProgramConfig p : config.programs()) {
            if (selected(p.name())) {
                results.add(refused.containsKey(p.name()) ? refuse(p) : reloadOne(p));
            }
        }
        for (String name : new ArrayList<>(supervisor.programs().keySet())) {
            if (config.program(name).isEmpty() && selected(name)) {
                results.add(remove(supervisor.programs().get(name)));
            }
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(v -> results.stream().map(CompletableFuture::join).toList());
    }

    private boolean selected(String program) {
        return names.isEmpty() || names.contains(program);
    }

    /** Its new listen address could not be bound: nothing starts, the serving generation is untouched. */
    private CompletableFuture<ReloadResult> refuse(ProgramConfig next) {
        Program current = supervisor.programs().get(next.name());
        int generation = current == null ? 0 : current.generation();
        String message = next.name() + ": " + refused.get(next.name()) + (current == null ? "; not added"
                : "; rolled back, generation " + generation + " keeps serving");
        progress.accept(new ReloadEvent(next.name(), "", generation, "failed",
                next.name() + ": " + refused.get(next.name())));
        ReloadResult.Outcome outcome = ReloadResult.Outcome.ROLLED_BACK;
        return CompletableFuture.completedFuture(new ReloadResult(next.name(), generation, outcome, message, 0, "",
                List.of()));
    }

    private CompletableFuture<ReloadResult> reloadOne(ProgramConfig next) {
        Program current = supervisor.programs().get(next.name());
        if (current != null) {
            current.cancelReplacements("a reload begins"); // it replaces every worker anyway
        }
        if (current == null) {
            Program added = supervisor.newProgram(next);
            if (next.autostart()) {
                added.startAll();
            }
            supervisor.publish(next.name()); // after the start: until then it would look stopped
            return done(ReloadResult.of(next.name(), added.generation(), ReloadResult.Outcome.ADDED,
                    next.name() + ": added" + (next.autostart() ? ", starting " + next.numprocs() + " workers" : "")));
        }
        ProgramConfig old = current.config();
        if (old.numprocs() != next.numprocs() && old.withNumprocs(next.numprocs()).equals(next)) {
            return done(scale(current, next));
        }
        Generation generation = Generation.next(next, supervisor.nextGeneration(next.name()));
        if (!current.running() && !next.autostart()) {
            return done(updateStopped(current, generation));
        }
        Rollout rollout = new Rollout(supervisor, supervisor.ctx(), current, generation, progress);
        current.rollout(rollout);
        rollout.start();
        return rollout.result().whenCompleteAsync((r, e) -> {
            current.rollout(null);
            supervisor.publish(current.name());
        }, supervisor.loop()::execute);
    }

    /** Nothing runs and nothing starts by itself: the new generation applies at the next start. */
    private ReloadResult updateStopped(Program current, Generation generation) {
        Generation before = current.serving();
        for (int i = 0; i < generation.config().numprocs(); i++) {
            current.swap(new Worker(generation, i, supervisor.ctx()));
        }
        current.applied(generation);
        generation.transitionTo(Generation.State.SERVING, "applies at the next start");
        before.transitionTo(Generation.State.RETIRED, "replaced while stopped");
        supervisor.traffic().switched(current.name(), generation);
        supervisor.publish(current.name());
        return ReloadResult.of(current.name(), generation.number(), ReloadResult.Outcome.UPDATED,
                current.name() + ": not running; generation " + generation.number() + " applies at its next start");
    }

    private ReloadResult scale(Program program, ProgramConfig next) {
        int before = program.workers().size();
        if (next.numprocs() > before) {
            boolean start = next.autostart() || program.running();
            List<Worker> added = program.grow(next, supervisor.ctx());
            if (start) {
                added.forEach(Worker::start);
            }
        } else {
            program.shrink(next).forEach(w -> supervisor.retire(w, Supervisor.proxied(w), "numprocs lowered"));
        }
        supervisor.publish(program.name());
        return ReloadResult.of(next.name(), program.generation(), ReloadResult.Outcome.SCALED,
                next.name() + ": scaled from " + before + " to " + next.numprocs() + " workers");
    }

    /**
     * A program gone from the configuration: it stops accepting, answers what it was given (bounded by its
     * {@code stopwaitsecs}), then its workers stop and its proxy closes.
     */
    private CompletableFuture<ReloadResult> remove(Program program) {
        String name = program.name();
        program.cancelReplacements("its program is removed");
        supervisor.programs().remove(name);
        program.serving().transitionTo(Generation.State.RETIRING, "removed from the configuration");
        List<Worker> workers = program.workers();
        workers.forEach(supervisor::keepServing);
        supervisor.publish(name);
        return Shutdown.quiesce(supervisor, name, program.config().stopwaitsecs())
                .thenComposeAsync(v -> CompletableFuture.allOf(workers.stream()
                        .map(w -> supervisor.retire(w, false, "program removed"))
                        .toArray(CompletableFuture[]::new)), supervisor.loop()::execute)
                .thenApplyAsync(v -> {
                    supervisor.traffic().removed(name);
                    return done(ReloadResult.of(name, program.generation(), ReloadResult.Outcome.REMOVED,
                            name + ": removed, its workers stopped")).join();
                }, supervisor.loop()::execute);
    }

    private CompletableFuture<ReloadResult> done(ReloadResult r) {
        progress.accept(new ReloadEvent(r.program(), "", r.generation(),
                r.outcome().name().toLowerCase(Locale.ROOT), r.message()));
        return CompletableFuture.completedFuture(r);
    }
}
