package dev.baton.supervisor.control;

import dev.baton.supervisor.log.LogHub;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the control socket can ask of the daemon. Answers are JSON-ready values (maps, lists, strings, numbers).
 * A future failed with {@link IllegalArgumentException} is the caller's mistake (HTTP 400, its message shown
 * as is); any other failure is Baton's (HTTP 500).
 */
public interface ControlApi {

    CompletableFuture<Object> status();

    CompletableFuture<Object> start(List<String> targets);

    CompletableFuture<Object> stop(List<String> targets);

    CompletableFuture<Object> restart(List<String> targets);

    CompletableFuture<Object> signal(String signal, List<String> targets);

    CompletableFuture<Object> shutdown();

    /**
     * Reloads {@code programs} (all when empty), sending each step to {@code progress} as a JSON-ready value. The
     * outer future completes once the reload has started, with the future of its summary; it fails with
     * {@link IllegalArgumentException} when nothing was done (invalid configuration, unknown program: HTTP 400)
     * or {@link IllegalStateException} when a reload of those programs is already running (HTTP 409).
     */
    CompletableFuture<CompletableFuture<Object>> reload(List<String> programs, boolean wait,
                                                        java.util.function.Consumer<Object> progress);

    /** Fails with {@link IllegalArgumentException} when a target names no program or worker. */
    CompletableFuture<Object> checkTargets(List<String> targets);

    LogHub logs();
}
