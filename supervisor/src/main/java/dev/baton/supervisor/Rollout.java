package dev.baton.supervisor;

import dev.baton.conf.ProgramConfig;
import dev.baton.conf.ReloadStrategy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One program's move to its next generation ({@code baton reload}). Loop thread only.
 *
 * <p>The invariant: a reload never leaves fewer than {@code numprocs} ready workers serving. New workers start
 * held out of traffic; only once every worker of a batch is ready (health check passed, or RUNNING without a
 * proxy) does the batch switch in, and only then do the old workers of those slots drain and stop. A new worker
 * that exits, or is not ready within {@code start_timeout}, rolls the batch back: its new workers stop, the old
 * workers were never touched. With {@code surge} the batch is every slot; with {@code rolling} it is
 * {@code max_surge} slots, so a failure after earlier batches leaves those on the new generation. With
 * {@code restart} the old workers stop first and nothing can be rolled back.
 */
final class Rollout {

    /** Where a rollout stands. */
    enum State {
        /** New workers of the current batch are starting, held out of traffic. */
        STARTING,
        /** Every slot switched; old workers are draining and stopping. */
        DRAINING,
        /** Finished: the result is out. */
        ENDED
    }

    private final Supervisor supervisor;
    private final WorkerContext ctx;
    private final Program program;
    private final ProgramConfig next;
    private final int generation;
    private final boolean proxied;
    private final Consumer<ReloadEvent> progress;
    private final long startedAt;
    private final CompletableFuture<ReloadResult> result = new CompletableFuture<>();
    private final Deque<Integer> todo = new ArrayDeque<>();
    private final List<Worker> batch = new ArrayList<>();
    private final Set<Worker> ready = new HashSet<>();
    private final Set<Worker> retired = new HashSet<>();
    private final List<CompletableFuture<Void>> stopped = new ArrayList<>();
    private State state = State.STARTING;
    private int switched;
    private EventLoop.Timer deadline;

    Rollout(Supervisor supervisor, WorkerContext ctx, Program program, ProgramConfig next, int generation,
            boolean proxied, Consumer<ReloadEvent> progress) {
        this.supervisor = supervisor;
        this.ctx = ctx;
        this.program = program;
        this.next = next;
        this.generation = generation;
        this.proxied = proxied;
        this.progress = progress;
        this.startedAt = ctx.loop().nowMillis();
        for (int i = 0; i < next.numprocs(); i++) {
            todo.add(i);
        }
    }

    CompletableFuture<ReloadResult> result() {
        return result;
    }

    /** The new workers started and not yet switched in. */
    List<Worker> pending() {
        return List.copyOf(batch);
    }

    void start() {
        ReloadStrategy strategy = next.reload().strategy();
        say("", "reloading", "reloading to generation " + generation + " (" + strategy.name().toLowerCase(Locale.ROOT)
                + ", " + next.numprocs() + " workers)");
        if (strategy == ReloadStrategy.RESTART) {
            for (Worker old : program.workers()) {
                retire(old, false);
            }
            CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new))
                    .thenRunAsync(this::startBatch, ctx.loop()::execute);
        } else {
            startBatch();
        }
    }

    private int batchSize() {
        return next.reload().strategy() == ReloadStrategy.ROLLING ? next.reload().maxSurge() : next.numprocs();
    }

    private void startBatch() {
        if (state != State.STARTING) {
            return;
        }
        boolean restart = next.reload().strategy() == ReloadStrategy.RESTART;
        List<Worker> started = new ArrayList<>();
        for (int n = batchSize(); n > 0 && !todo.isEmpty(); n--) {
            Worker w = new Worker(next, todo.poll(), generation, ctx);
            if (restart) {
                program.swap(w);
            } else {
                w.hold();
            }
            batch.add(w);
            started.add(w);
        }
        long timeout = next.reload().startTimeout().toMillis();
        deadline = ctx.loop().schedule(this::timedOut, timeout);
        for (Worker w : started) {
            if (state != State.STARTING) {
                return; // an earlier one failed at spawn and rolled the batch back
            }
            w.start();
        }
    }

    /** After every transition of one of the program's workers. */
    void workerChanged(Worker w) {
        if (batch.contains(w) && state == State.STARTING) {
            switch (w.state()) {
                case STARTING -> say(w, "started", "started, pid " + w.status().pid());
                case RUNNING -> {
                    if (!proxied) {
                        ready(w);
                    }
                }
                case BACKOFF, EXITED, FATAL, STOPPED -> fail(w, w.status().reason()
                        .replaceFirst("; last output: .*$", "").replaceFirst("; (retrying|restarting) in .*$", ""));
                default -> { }
            }
        } else if (retired.contains(w)) {
            switch (w.state()) {
                case DRAINING -> say(w, "draining", "draining, " + supervisor.traffic().inflight(w)
                        + " requests in flight");
                case STOPPING -> say(w, "stopping", w.status().reason());
                case STOPPED, EXITED, FATAL, BACKOFF -> say(w, "stopped", "stopped");
                default -> { }
            }
        }
    }

    /** A new worker is ready: its health check passed (proxied) or it is RUNNING. */
    void ready(Worker w) {
        if (state != State.STARTING || !batch.contains(w) || !ready.add(w)) {
            return;
        }
        say(w, "ready", "ready after " + seconds(ctx.loop().nowMillis() - w.status().startedAt()));
        if (ready.containsAll(batch)) {
            switchBatch();
        }
    }

    /** Switches the ready batch in, then retires the old workers of its slots. */
    private void switchBatch() {
        cancelDeadline();
        boolean restart = next.reload().strategy() == ReloadStrategy.RESTART;
        List<Worker> switching = List.copyOf(batch);
        batch.clear();
        ready.clear();
        List<Worker> old = new ArrayList<>();
        for (Worker w : switching) {
            if (!restart) {
                Worker replaced = program.swap(w);
                supervisor.keepServing(replaced); // listed to the proxy until it drains: its requests go on
                old.add(replaced);
            }
        }
        switching.forEach(Worker::serve);
        switched += switching.size();
        if (!restart) {
            say("", "switched", switched + " of " + next.numprocs() + " workers switched to generation " + generation);
        }
        old.forEach(w -> retire(w, proxied));
        if (!todo.isEmpty()) {
            startBatch();
            return;
        }
        state = State.DRAINING;
        program.applied(next, generation);
        CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new))
                .thenRunAsync(() -> end(ReloadResult.Outcome.RELOADED, program.name() + ": reloaded to generation " + generation,
                        "", List.of()), ctx.loop()::execute);
    }

    private void retire(Worker old, boolean drain) {
        retired.add(old);
        stopped.add(supervisor.retire(old, drain, "replaced by generation " + generation));
    }

    private void timedOut() {
        deadline = null;
        for (Worker w : batch) {
            if (!ready.contains(w)) {
                fail(w, "not ready within start_timeout (" + seconds(next.reload().startTimeout().toMillis()) + ")"
                        + (proxied ? ": its health check has not passed" : ": not RUNNING yet"));
                return;
            }
        }
    }

    /** A new worker failed: the batch's new workers stop; the old workers of those slots never stopped serving. */
    private void fail(Worker failed, String why) {
        cancelDeadline();
        List<String> lines = failed.recentLines();
        boolean restart = next.reload().strategy() == ReloadStrategy.RESTART;
        say(failed, "failed", why);
        state = State.ENDED; // before stopping the batch: its transitions must not fail the reload again
        List<Worker> abandoned = List.copyOf(batch);
        batch.clear();
        List<CompletableFuture<Void>> rolledBack = new ArrayList<>();
        if (!restart) {
            for (Worker w : abandoned) {
                rolledBack.add(supervisor.retire(w, false, "reload rolled back"));
            }
        }
        ReloadResult.Outcome outcome = restart || switched > 0 ? ReloadResult.Outcome.FAILED
                : ReloadResult.Outcome.ROLLED_BACK;
        String message = failed.name() + " [gen " + generation + "] failed: " + why + "; " + (outcome
                == ReloadResult.Outcome.ROLLED_BACK ? "rolled back, generation " + program.generation()
                + " keeps serving" : restart ? "the old workers were already stopped (reload_strategy = \"restart\")"
                : switched + " of " + next.numprocs() + " workers had switched to generation " + generation
                + " and stay; the others keep generation " + program.generation());
        if (restart) {
            program.applied(next, generation);
        }
        CompletableFuture.allOf(rolledBack.toArray(CompletableFuture[]::new))
                .thenRunAsync(() -> end(outcome, message, failed.name(), lines), ctx.loop()::execute);
    }

    /** Baton is shutting down: the new workers stop like every other. */
    void abort(String why) {
        if (state == State.STARTING && !batch.isEmpty()) {
            fail(batch.get(0), why);
        }
    }

    private void end(ReloadResult.Outcome outcome, String message, String worker, List<String> lines) {
        state = State.ENDED;
        long took = ctx.loop().nowMillis() - startedAt;
        int serving = outcome == ReloadResult.Outcome.ROLLED_BACK ? program.generation() : generation;
        result.complete(new ReloadResult(program.name(), serving, outcome, message, took, worker, lines));
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel();
            deadline = null;
        }
    }

    private void say(Worker w, String event, String text) {
        emit(new ReloadEvent(program.name(), w.name(), w.generation(), event,
                w.name() + " [gen " + w.generation() + "] " + text));
    }

    private void say(String worker, String event, String text) {
        emit(new ReloadEvent(program.name(), worker, generation, event, program.name() + ": " + text));
    }

    private void emit(ReloadEvent event) {
        Log.info("reload: " + event.message());
        progress.accept(event);
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
