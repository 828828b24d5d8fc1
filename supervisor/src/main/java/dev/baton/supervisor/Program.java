package dev.baton.supervisor;

import dev.baton.conf.ProgramConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One configured program: its configuration and its worker slots ({@code web:0} .. {@code web:N-1}). Each slot
 * holds the worker serving it now; a reload replaces the workers slot by slot with those of the next generation,
 * so between two reloads every slot holds a worker of the same generation. Loop thread only.
 */
public final class Program {

    private ProgramConfig config;
    private int generation;
    private final List<Worker> workers = new ArrayList<>();
    private Rollout rollout;

    Program(ProgramConfig config, int generation, WorkerContext ctx) {
        this.config = config;
        this.generation = generation;
        for (int i = 0; i < config.numprocs(); i++) {
            workers.add(new Worker(config, i, generation, ctx));
        }
    }

    public String name() {
        return config.name();
    }

    public ProgramConfig config() {
        return config;
    }

    /** The generation of the configuration last applied. */
    public int generation() {
        return generation;
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

    /** True when any worker has a process: the program counts as running for a reload. */
    boolean running() {
        return workers.stream().anyMatch(w -> w.state().hasProcess());
    }

    /** Puts {@code next} in its slot; answers the worker it replaced. */
    Worker swap(Worker next) {
        return workers.set(next.index(), next);
    }

    /** The configuration and generation the slots now run (after a reload or a scale). */
    void applied(ProgramConfig next, int nextGeneration) {
        config = next;
        generation = nextGeneration;
    }

    /** Adds slots up to {@code next.numprocs()}, of the current generation; answers the new workers. */
    List<Worker> grow(ProgramConfig next, WorkerContext ctx) {
        List<Worker> added = new ArrayList<>();
        for (int i = workers.size(); i < next.numprocs(); i++) {
            Worker w = new Worker(next, i, generation, ctx);
            workers.add(w);
            added.add(w);
        }
        config = next;
        return added;
    }

    /** Removes the slots from {@code next.numprocs()} on; answers their workers, to be retired. */
    List<Worker> shrink(ProgramConfig next) {
        List<Worker> removed = new ArrayList<>(workers.subList(next.numprocs(), workers.size()));
        workers.subList(next.numprocs(), workers.size()).clear();
        config = next;
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
            done.add(Supervisor.settle(w, s -> !s.hasProcess()));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }
}
