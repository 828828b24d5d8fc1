package dev.baton.supervisor.control;

import dev.baton.supervisor.Target;
import dev.baton.supervisor.log.LogHub;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What the control socket can ask of the daemon. Each answer is a record of this package, written as JSON as it
 * is. A future failed with {@link IllegalArgumentException} is the caller's mistake (HTTP 400, its message shown
 * as is); any other failure is Baton's (HTTP 500).
 */
public interface ControlApi {

    CompletableFuture<StatusReply> status();

    CompletableFuture<Results> start(List<Target> targets);

    CompletableFuture<Results> stop(List<Target> targets);

    CompletableFuture<Results> restart(List<Target> targets);

    CompletableFuture<Results> signal(String signal, List<Target> targets);

    CompletableFuture<Message> shutdown();

    /**
     * Reloads {@code programs} (all when empty; a group is its programs), sending each step to {@code progress}.
     * The outer future completes once the reload has started, with the future of its summary; it fails with
     * {@link IllegalArgumentException} when nothing was done (invalid configuration, unknown program or group, a
     * worker: HTTP 400) or {@link IllegalStateException}
     * when a reload of those programs is already running (HTTP 409).
     */
    CompletableFuture<CompletableFuture<ReloadSummary>> reload(ReloadRequest request, Consumer<ReloadStep> progress);

    /**
     * Replaces the daemon with a new one ({@code baton upgrade}), sending each step of the new daemon's start to
     * {@code progress}. The outer future completes once the upgrade has started, with the future of its summary;
     * it fails with {@link IllegalStateException} when an upgrade or a reload is running (HTTP 409) and
     * {@link IllegalArgumentException} when Baton cannot upgrade at all (HTTP 400).
     */
    CompletableFuture<CompletableFuture<UpgradeSummary>> upgrade(Consumer<ReloadStep> progress);

    /**
     * Resolves TARGETs as typed ({@code all}, a program or group, {@code NAME:*}, {@code NAME:N},
     * {@code GROUP:PROGRAM}, a worker's name, {@code NAME:WORKERNAME}) against the configuration the daemon runs.
     * Fails with {@link IllegalArgumentException} ({@code no such program, group or worker: x}) when one selects
     * nothing; answers {@link TargetSelection#NONE} for none.
     */
    CompletableFuture<TargetSelection> resolve(List<String> targets);

    /** The daemon's pid and those of the selected workers (none selected: the daemon's alone). */
    CompletableFuture<PidReply> pid(TargetSelection selection);

    /**
     * The configuration file read afresh and compared with what runs; fails with {@link IllegalArgumentException}
     * (the errors, one per line) when it is invalid.
     */
    CompletableFuture<ConfigReply> config();

    /**
     * {@code baton update}: reloads what {@link #config} reports as changed, added or removed among
     * {@code request.programs()} (programs or groups; all when empty), as {@link #reload} does; a summary without
     * programs when nothing differs.
     */
    CompletableFuture<CompletableFuture<ReloadSummary>> update(ReloadRequest request, Consumer<ReloadStep> progress);

    LogHub logs();

    /** The metrics in the Prometheus text format, gathered without holding the supervisor loop. */
    CompletableFuture<MetricsText> metrics();

    /**
     * {@code GET /ready}, polled by load balancers every second or so: 200 when Baton is not shutting down and every
     * program with {@code listen} (or only {@code program}) has a worker ready to take traffic, 503 with the reason
     * otherwise, 404 when {@code program} names none. Cheap; never fails, and answers within a few seconds even
     * when the supervisor loop does not.
     */
    CompletableFuture<ProbeReply> ready(Optional<String> program);

    /** {@code GET /live}: 200 while the supervisor loop answers, 503 when it did not within a short deadline. */
    CompletableFuture<ProbeReply> live();
}
