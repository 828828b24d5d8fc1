package dev.baton.supervisor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Baton's own graceful stop ({@code baton shutdown}, SIGTERM, SIGINT), like HAProxy's soft-stop. Loop thread.
 *
 * <ol>
 *   <li>Every program stops accepting at once: its listeners close (a new connection is refused, which clients and
 *       front proxies retry), idle keep-alive connections close, and the last answer on each busy connection
 *       carries {@code Connection: close}.</li>
 *   <li>Programs stop in reverse {@code priority} order. Each first answers what it was given, in flight and
 *       queued (its workers keep serving; a crashed one still restarts), for at most its {@code stopwaitsecs};
 *       then its workers get their {@code stopsignal}, SIGKILL after {@code stopwaitsecs}.</li>
 *   <li>A reload in progress is rolled back; replaced workers that are draining go on draining.</li>
 * </ol>
 */
final class Shutdown {

    private final Supervisor supervisor;

    Shutdown(Supervisor supervisor) {
        this.supervisor = supervisor;
    }

    /** Completes when no worker process is left. */
    CompletableFuture<Void> run() {
        for (Program p : List.copyOf(supervisor.programs().values())) {
            if (p.rollout() != null) {
                p.rollout().abort("Baton is shutting down");
            }
        }
        Map<String, CompletableFuture<Void>> quiet = new TreeMap<>();
        for (Program p : supervisor.programs().values()) {
            quiet.put(p.name(), quiesce(supervisor, p.name(), p.config().stopwaitsecs()));
        }
        TreeMap<Integer, List<Program>> byPriority = new TreeMap<>(Comparator.reverseOrder());
        for (Program p : supervisor.programs().values()) {
            byPriority.computeIfAbsent(p.config().priority(), k -> new ArrayList<>()).add(p);
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (List<Program> group : byPriority.values()) {
            chain = chain.thenComposeAsync(v -> CompletableFuture.allOf(group.stream()
                    .map(p -> quiet.get(p.name()).thenComposeAsync(q -> p.stopAll(), supervisor.loop()::execute))
                    .toArray(CompletableFuture[]::new)), supervisor.loop()::execute);
        }
        List<CompletableFuture<?>> all = new ArrayList<>(List.of(chain));
        for (Worker w : List.copyOf(supervisor.retiring())) {
            if (w.state() != WorkerState.DRAINING) {
                w.stop();
            }
            all.add(w.until(s -> !s.hasProcess()));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenRunAsync(() -> {
            supervisor.programNames().forEach(name -> supervisor.traffic().removed(name));
        }, supervisor.loop()::execute);
    }

    /**
     * Stops {@code program} accepting and completes, on the loop, once it has nothing in flight or queued, or
     * after {@code stopwaitsecs}, whichever comes first (the workers then stop with requests still in flight).
     */
    static CompletableFuture<Void> quiesce(Supervisor supervisor, String program, int stopwaitsecs) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        EventLoop loop = supervisor.loop();
        EventLoop.Timer timer = loop.schedule(() -> {
            if (done.complete(null)) {
                Log.warn(program + ": requests still in flight after stopwaitsecs (" + stopwaitsecs
                        + "s); stopping its workers anyway");
            }
        }, stopwaitsecs * 1000L);
        supervisor.traffic().stopAccepting(program).whenComplete((v, e) -> loop.execute(() -> {
            timer.cancel();
            done.complete(null);
        }));
        return done;
    }
}
