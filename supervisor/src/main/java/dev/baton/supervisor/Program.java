package dev.baton.supervisor;

import dev.baton.conf.ProgramConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One configured program: its serving generation and its worker slots 0 to numprocs - 1, holding workers numbered
 * from {@code numprocs_start} ({@code web:0} .. {@code web:N-1} by default; scaling keeps that numbering). Each
 * slot holds the worker serving it now; a reload replaces the workers slot by slot with those of the next
 * generation, so between two reloads every slot holds a worker of the serving generation. Loop thread only.
 */
public final class Program {

    private Generation serving;
    private final List<Worker> workers = new ArrayList<>();
    private Rollout rollout;
    private final List<Replacement> replacements = new ArrayList<>();
    private int incarnations;

    Program(Generation first, WorkerContext ctx) {
        this.serving = first;
        for (int i = 0; i < first.config().numprocs(); i++) {
            workers.add(new Worker(first, i, ctx));
        }
    }

    public String name() {
        return serving.program();
    }

    /** The configuration of the serving generation. */
    public ProgramConfig config() {
        return serving.config();
    }

    /** The number of the serving generation. */
    public int generation() {
        return serving.number();
    }

    /** The generation whose configuration the program runs: the last one a reload completed or applied. */
    Generation serving() {
        return serving;
    }

    /** The worker serving each slot, in slot order. */
    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** The reload in progress, or null. */
    Rollout rollout() {
        return rollout;
    }

    void rollout(Rollout next) {
        rollout = next;
    }

    /**
     * True when {@code w} is a reload's new worker or a recycling successor, not yet switched in: checked, but held
     * out of traffic.
     */
    boolean holds(Worker w) {
        return rollout != null && rollout.pending().contains(w)
                || replacements.stream().anyMatch(r -> r.next() == w);
    }

    /** The recycling replacements in progress, at most {@code max_surge}. */
    List<Replacement> replacements() {
        return replacements;
    }

    /** True when a replacement of slot worker {@code w} is in progress. */
    boolean replacing(Worker w) {
        return replacements.stream().anyMatch(r -> r.old() == w);
    }

    /** The incarnation of the next recycling successor: numbers are never reused within the program. */
    int nextIncarnation() {
        return ++incarnations;
    }

    /** Stops every replacement in progress (its successor stops, the old worker keeps its slot). */
    void cancelReplacements(String why) {
        List.copyOf(replacements).forEach(r -> r.cancel(why));
    }

    /** True when any worker has a process: the program counts as running for a reload. */
    boolean running() {
        return workers.stream().anyMatch(w -> w.state().hasProcess());
    }

    /** True when any slot's worker runs or will run without anyone asking (see {@link Worker#comingBack}). */
    boolean comingBack() {
        return workers.stream().anyMatch(Worker::comingBack);
    }

    /** Puts {@code next} in its slot; answers the worker it replaced. */
    Worker swap(Worker next) {
        return workers.set(next.slot(), next);
    }

    /** {@code next} is the generation the program now runs (a reload ended, or applies at the next start). */
    void applied(Generation next) {
        serving = next;
    }

    /** Adds slots up to {@code next.numprocs()}, of the serving generation; answers the new workers. */
    List<Worker> grow(ProgramConfig next, WorkerContext ctx) {
        serving.scaled(next);
        List<Worker> added = new ArrayList<>();
        for (int i = workers.size(); i < next.numprocs(); i++) {
            Worker w = new Worker(serving, i, ctx);
            workers.add(w);
            added.add(w);
        }
        return added;
    }

    /** Removes the slots from {@code next.numprocs()} on; answers their workers, to be retired. */
    List<Worker> shrink(ProgramConfig next) {
        serving.scaled(next);
        List<Worker> removed = new ArrayList<>(workers.subList(next.numprocs(), workers.size()));
        workers.subList(next.numprocs(), workers.size()).clear();
        return removed;
    }

    void startAll() {
        workers.forEach(Worker::start);
    }

    /** Stops every worker; completes once none has a process left. */
    CompletableFuture<Void> stopAll() {
        List<CompletableFuture<WorkerState>> done = new ArrayList<>();
        for (Worker w : workers) {
            w.stop();
            done.add(w.until(s -> !s.hasProcess()));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }
}
