package dev.baton.supervisor;

import dev.baton.conf.ProgramConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One configured program: its configuration and the generation of workers that serves it. A configuration
 * change replaces the whole Program with the next generation; the workers of a Program never change config.
 */
public final class Program {

    private final ProgramConfig config;
    private final int generation;
    private final List<Worker> workers;

    Program(ProgramConfig config, int generation, WorkerContext ctx) {
        this.config = config;
        this.generation = generation;
        List<Worker> list = new ArrayList<>();
        for (int i = 0; i < config.numprocs(); i++) {
            list.add(new Worker(config, i, generation, ctx));
        }
        this.workers = List.copyOf(list);
    }

    public String name() {
        return config.name();
    }

    public ProgramConfig config() {
        return config;
    }

    public int generation() {
        return generation;
    }

    public List<Worker> workers() {
        return workers;
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

    void release() {
        workers.forEach(Worker::releaseWaiters);
    }
}
