package dev.baton.supervisor;

import dev.baton.conf.ReloadStrategy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One program's move to its next generation ({@code baton reload}). Loop thread only.
 *
 * <pre>
 *  STARTING ──last batch switched──▶ DRAINING ──old workers gone──▶ ENDED
 *     │
 *     └──a new worker failed, start_timeout, shutdown──▶ ROLLING_BACK ──new workers gone──▶ ENDED
 * </pre>
 *
 * <p>The invariant: a reload never leaves fewer than {@code numprocs} ready workers serving. New workers start
 * held out of traffic; only once every worker of a batch is ready (health check passed, or RUNNING without a
 * proxy) does the batch switch in, and only then do the old workers of those slots drain and stop. The first
 * switch also makes the new generation's proxy settings and listen addresses the program's ({@link
 * Traffic#switched}). A new worker that exits, or is not ready within {@code start_timeout}, rolls the batch back:
 * its new workers stop, the old workers were never touched, and before any switch the new generation is
 * ABANDONED ({@link Traffic#abandoned}: its new listeners close unused). With {@code surge} the batch is every
 * slot; with {@code rolling} it is {@code max_surge} slots, so a failure after earlier batches leaves those on the
 * new generation. With {@code restart} the old workers stop first and nothing can be rolled back.
 *
 * <p>With {@code canary} the first batch is one worker, the canary: once ready it gets {@code canary_weight} percent
 * of the program's requests (CANARY) for {@code canary_duration}, judged against the old workers ({@link Canary}).
 * Worse, or exited, it is rolled back like any failed new worker, with the comparison; else it is promoted, keeps
 * its share, and the other slots start as one surge batch.
 */
final class Rollout {

    /** Where a rollout stands. */
    enum State {
        /** New workers of the current batch are starting, held out of traffic. */
        STARTING,
        /** The canary gets its share of requests and is compared with the old workers. */
        CANARY,
        /** Every slot switched; old workers are draining and stopping. */
        DRAINING,
        /** A new worker failed: the batch's new workers are stopping. */
        ROLLING_BACK,
        /** Finished: the result is out. */
        ENDED
    }

    private final Supervisor supervisor;
    private final WorkerContext ctx;
    private final Program program;
    private final Generation next;
    private final Generation previous;
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
    private Canary canary;
    private boolean canaryPromoted;
    private CanaryComparison comparison;
    private boolean judged;
    private long lastSaid;

    Rollout(Supervisor supervisor, WorkerContext ctx, Program program, Generation next,
            Consumer<ReloadEvent> progress) {
        this.supervisor = supervisor;
        this.ctx = ctx;
        this.program = program;
        this.next = next;
        this.previous = program.serving();
        this.progress = progress;
        this.startedAt = ctx.loop().nowMillis();
        for (int i = 0; i < next.config().numprocs(); i++) {
            todo.add(i);
        }
    }

    CompletableFuture<ReloadResult> result() {
        return result;
    }

    /**
     * The new workers started and not yet switched in: held out of traffic. With {@code restart} there are none:
     * the new workers take their slots at once (the old ones are gone by then).
     */
    List<Worker> pending() {
        return restart() ? List.of() : List.copyOf(batch);
    }

    State state() {
        return state;
    }

    /**
     * The canary getting its share of requests, from its start to the switch (after its promotion it keeps its share
     * while the other slots start), or null.
     */
    Worker canaryWorker() {
        return canary != null && batch.contains(canary.worker()) && state != State.ROLLING_BACK
                ? canary.worker() : null;
    }

    /** The canary's percent of the program's requests while it gets them, 0 otherwise. */
    int canaryWeight() {
        return canaryWorker() == null ? 0 : next.config().reload().canary().weight();
    }

    private boolean canaryFirst() {
        return next.config().reload().strategy() == ReloadStrategy.CANARY && !canaryPromoted;
    }

    private boolean restart() {
        return next.config().reload().strategy() == ReloadStrategy.RESTART;
    }

    void start() {
        ReloadStrategy strategy = next.config().reload().strategy();
        say("", "reloading", "reloading to generation " + next.number() + " ("
                + strategy.name().toLowerCase(Locale.ROOT) + ", " + next.config().numprocs() + " workers)");
        if (restart()) {
            switchGenerations("reload_strategy = \"restart\": the old workers stop first");
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
        var reload = next.config().reload();
        return canaryFirst() ? 1 : reload.strategy() == ReloadStrategy.ROLLING ? reload.maxSurge()
                : next.config().numprocs();
    }

    private void startBatch() {
        if (state != State.STARTING) {
            return;
        }
        List<Worker> started = new ArrayList<>();
        for (int n = batchSize(); n > 0 && !todo.isEmpty(); n--) {
            Worker w = new Worker(next, todo.poll(), ctx);
            if (restart()) {
                program.swap(w);
            }
            batch.add(w);
            started.add(w);
        }
        deadline = ctx.loop().schedule(this::timedOut, next.config().reload().startTimeout().toMillis());
        for (Worker w : started) {
            if (state != State.STARTING) {
                return; // an earlier one failed at spawn and rolled the batch back
            }
            w.start();
        }
    }

    /** After every transition of one of the program's workers. */
    void workerChanged(Worker w) {
        if (batch.contains(w) && (state == State.STARTING || state == State.CANARY)) {
            switch (w.state()) {
                case STARTING -> say(w, "started", "started, pid " + w.status().pid());
                case RUNNING -> {
                    if (!Supervisor.proxied(w)) {
                        ready(w);
                    }
                }
                case BACKOFF, EXITED, FATAL, STOPPED -> fail(w, w.whyNotReady());
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
        if (canaryFirst()) {
            startCanary(w);
        } else if (ready.containsAll(batch)) {
            switchBatch();
        }
    }

    /** The canary is ready: it gets its share of requests from now on, and is watched. */
    private void startCanary(Worker w) {
        cancelDeadline();
        var config = next.config().reload().canary();
        canary = new Canary(config, w, previous.number(), supervisor.traffic().workers(program.name()),
                ctx.loop().nowMillis());
        transitionTo(State.CANARY, w.name() + " gets " + config.weight() + "% of the requests");
        supervisor.publish(program.name());
        lastSaid = ctx.loop().nowMillis();
        say(w, "canary", "canary: gets " + config.weight() + "% of " + program.name() + "'s requests for "
                + seconds(config.duration().toMillis()) + ", compared with generation " + previous.number());
        ctx.loop().schedule(this::watchCanary, Recycler.TICK_MILLIS);
    }

    /** Once a second while the canary serves: roll back as soon as it is clearly worse, promote at the end. */
    private void watchCanary() {
        if (state != State.CANARY) {
            return;
        }
        long now = ctx.loop().nowMillis();
        Canary.Judgement j = canary.judge(supervisor.traffic().workers(program.name()), now);
        comparison = j.comparison();
        if (j.verdict() != Canary.Verdict.WATCH || now - lastSaid >= CANARY_PROGRESS_MILLIS) {
            lastSaid = now;
            say(canary.worker(), "canary", comparison.line());
        }
        switch (j.verdict()) {
            case ROLL_BACK -> {
                judged = true;
                fail(canary.worker(), "canary: " + j.why());
            }
            case PROMOTE -> promote();
            case WATCH -> ctx.loop().schedule(this::watchCanary, Recycler.TICK_MILLIS);
        }
    }

    /** The canary did as well as the old workers: the other slots start as one surge batch. */
    private void promote() {
        canaryPromoted = true;
        transitionTo(State.STARTING, "canary promoted");
        say(canary.worker(), "promoted", "canary promoted; starting the other " + todo.size() + " workers");
        if (todo.isEmpty()) {
            switchBatch();
        } else {
            startBatch();
        }
    }

    /** Switches the ready batch in, then retires the old workers of its slots. */
    private void switchBatch() {
        cancelDeadline();
        List<Worker> switching = List.copyOf(batch);
        batch.clear();
        ready.clear();
        List<Worker> old = new ArrayList<>();
        for (Worker w : restart() ? List.<Worker>of() : switching) {
            Worker replaced = program.swap(w);
            supervisor.keepServing(replaced); // listed to the proxy until it drains: its requests go on
            old.add(replaced);
        }
        if (switched == 0 && !restart()) {
            switchGenerations(switching.size() + " of " + next.config().numprocs() + " workers ready");
        }
        switched += switching.size();
        if (!restart()) {
            say("", "switched", switched + " of " + next.config().numprocs() + " workers switched to generation "
                    + next.number());
        }
        supervisor.publish(program.name()); // the new workers serve before the old ones drain
        old.forEach(w -> retire(w, Supervisor.proxied(w)));
        if (!todo.isEmpty()) {
            startBatch();
            return;
        }
        program.applied(next);
        transitionTo(State.DRAINING, "every slot switched; waiting for the old workers to stop");
        CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new))
                .thenRunAsync(() -> end(ReloadResult.Outcome.RELOADED, program.name() + ": reloaded to generation "
                        + next.number(), "", List.of()), ctx.loop()::execute);
    }

    /** The new generation serves: its proxy settings and listeners become the program's. */
    private void switchGenerations(String why) {
        next.transitionTo(Generation.State.SERVING, why);
        supervisor.traffic().switched(program.name(), next);
    }

    private void retire(Worker old, boolean drain) {
        retired.add(old);
        stopped.add(supervisor.retire(old, drain, "replaced by generation " + next.number()));
    }

    private static final long CANARY_PROGRESS_MILLIS = 5000;

    private void timedOut() {
        deadline = null;
        for (Worker w : batch) {
            if (!ready.contains(w)) {
                fail(w, "not ready within start_timeout (" + seconds(next.config().reload().startTimeout().toMillis())
                        + ")" + (Supervisor.proxied(w) ? ": its health check has not passed" : ": not RUNNING yet"));
                return;
            }
        }
    }

    /** A new worker failed: the batch's new workers stop; the old workers of those slots never stopped serving. */
    private void fail(Worker failed, String why) {
        cancelDeadline();
        if (state == State.CANARY && !judged) { // exited, or shut down: the comparison so far, with that verdict
            comparison = canary.failed(supervisor.traffic().workers(program.name()), ctx.loop().nowMillis(), why);
        }
        List<String> lines = failed.recentLines();
        say(failed, "failed", why);
        transitionTo(State.ROLLING_BACK, failed.name() + " failed"); // its batch's transitions fail nothing more
        List<Worker> abandoned = List.copyOf(batch);
        batch.clear();
        boolean restart = restart();
        List<CompletableFuture<Void>> rolledBack = new ArrayList<>();
        for (Worker w : restart ? List.<Worker>of() : abandoned) {
            rolledBack.add(supervisor.retire(w, false, "reload rolled back"));
        }
        ReloadResult.Outcome outcome = restart || switched > 0 ? ReloadResult.Outcome.FAILED
                : ReloadResult.Outcome.ROLLED_BACK;
        if (outcome == ReloadResult.Outcome.ROLLED_BACK) {
            next.transitionTo(Generation.State.ABANDONED, why);
            supervisor.traffic().abandoned(program.name());
        }
        int numprocs = next.config().numprocs();
        String message = failed.name() + " [gen " + next.number() + "] failed: " + why + "; " + (outcome
                == ReloadResult.Outcome.ROLLED_BACK ? "rolled back, generation " + program.generation()
                + " keeps serving" : restart ? "the old workers were already stopped (reload_strategy = \"restart\")"
                : switched + " of " + numprocs + " workers had switched to generation " + next.number()
                + " and stay; the others keep generation " + program.generation());
        if (restart) {
            program.applied(next);
        }
        CompletableFuture.allOf(rolledBack.toArray(CompletableFuture[]::new))
                .thenRunAsync(() -> end(outcome, message, failed.id(), lines), ctx.loop()::execute);
    }

    /** Baton is shutting down: the new workers stop like every other. */
    void abort(String why) {
        if ((state == State.STARTING || state == State.CANARY) && !batch.isEmpty()) {
            fail(batch.get(0), why);
        }
    }

    private void end(ReloadResult.Outcome outcome, String message, String worker, List<String> lines) {
        transitionTo(State.ENDED, outcome.name().toLowerCase(Locale.ROOT));
        long took = ctx.loop().nowMillis() - startedAt;
        int serving = outcome == ReloadResult.Outcome.ROLLED_BACK ? previous.number() : next.number();
        result.complete(new ReloadResult(program.name(), serving, outcome, message, took, worker, lines,
                Optional.ofNullable(comparison)));
    }

    private void transitionTo(State to, String why) {
        State from = state;
        if (from == to) {
            return;
        }
        state = to;
        Log.info(program.name() + ": reload to generation " + next.number() + " " + from + " -> " + to
                + (why.isEmpty() ? "" : ": " + why));
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
        emit(new ReloadEvent(program.name(), worker, next.number(), event, program.name() + ": " + text));
    }

    private void emit(ReloadEvent event) {
        Log.info("reload: " + event.message());
        progress.accept(event);
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
