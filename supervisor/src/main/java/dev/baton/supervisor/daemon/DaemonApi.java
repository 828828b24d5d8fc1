package dev.baton.supervisor.daemon;

import dev.baton.conf.Signal;
import dev.baton.proxy.BackendStats;
import dev.baton.proxy.ProgramStats;
import dev.baton.supervisor.Version;
import dev.baton.supervisor.ReloadEvent;
import dev.baton.supervisor.ReloadResult;
import dev.baton.supervisor.Supervisor;
import dev.baton.supervisor.Target;
import dev.baton.supervisor.WorkerStatus;
import dev.baton.supervisor.control.ConfigReply;
import dev.baton.supervisor.control.ControlApi;
import dev.baton.supervisor.control.PidReply;
import dev.baton.supervisor.control.TargetSelection;
import dev.baton.supervisor.control.Message;
import dev.baton.supervisor.control.ReloadRequest;
import dev.baton.supervisor.control.ReloadStep;
import dev.baton.supervisor.control.ReloadSummary;
import dev.baton.supervisor.control.ReloadSummary.ProgramReload;
import dev.baton.supervisor.control.Results;
import dev.baton.supervisor.control.StatusReply;
import dev.baton.supervisor.control.StatusReply.DaemonInfo;
import dev.baton.supervisor.control.StatusReply.ProgramInfo;
import dev.baton.supervisor.control.StatusReply.Recycling;
import dev.baton.supervisor.control.StatusReply.WorkerInfo;
import dev.baton.supervisor.control.UpgradeSummary;
import dev.baton.supervisor.log.LogHub;
import dev.baton.supervisor.process.Posix;

import dev.baton.supervisor.control.MetricsText;
import dev.baton.supervisor.control.ProbeReply;
import dev.baton.supervisor.Worker;
import dev.baton.supervisor.WorkerState;
import dev.baton.supervisor.metrics.Exposition;
import dev.baton.supervisor.metrics.MetricsInput;
import dev.baton.supervisor.metrics.ProcessTable;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.HashMap;
import java.util.function.Consumer;

/** The control API of a running {@link Daemon}: the supervisor's answers as the protocol's records. */
final class DaemonApi implements ControlApi {

    private static final ProcessTable PROCESSES = new ProcessTable();

    private final Daemon daemon;

    DaemonApi(Daemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public CompletableFuture<StatusReply> status() {
        return daemon.supervisor().status().thenApply(workers -> {
            long now = System.currentTimeMillis();
            DaemonInfo info = new DaemonInfo(Posix.getpid(), Version.current(), daemon.config().file().toString(),
                    daemon.config().daemon().socket().toString(), now - daemon.startedAt());
            Map<String, ProgramStats> proxied = daemon.frontends().stats();
            return new StatusReply(info, proxied.values().stream().map(DaemonApi::program).toList(),
                    workers.stream().map(w -> worker(w, now, proxied.get(w.program()))).toList());
        });
    }

    static ProgramInfo program(ProgramStats p) {
        return new ProgramInfo(p.name(), p.listen(), p.queued());
    }

    /** One worker at {@code now}; {@code proxy} is its program's proxy, null when the program has none. */
    static WorkerInfo worker(WorkerStatus w, long now, ProgramStats proxy) {
        Optional<String> backend = Optional.empty();
        Optional<Integer> inflight = Optional.empty();
        if (proxy != null) {
            BackendStats stats = proxy.backends().stream()
                    .filter(b -> b.id().equals(w.name()) && b.generation() == w.generation()
                            && b.incarnation() == w.incarnation()).findFirst().orElse(null);
            backend = Optional.of(stats == null ? "NONE" : stats.state());
            inflight = Optional.of(stats == null ? 0 : stats.inflight());
        }
        return new WorkerInfo(w.name(), w.program(), w.index(), w.generation(), w.state().name(), w.pid(),
                w.startedAt() > 0 ? now - w.startedAt() : 0, now - w.since(), w.reason(), w.restarts(), w.port(),
                w.socket() == null ? null : w.socket().toString(), w.held(), backend, inflight,
                w.recycled() == 0 ? Optional.empty() : Optional.of(new Recycling(w.recycled(), w.lastRecycle())));
    }

    @Override
    public CompletableFuture<Results> start(List<Target> targets) {
        return resultsOf(daemon.supervisor().start(texts(targets)));
    }

    @Override
    public CompletableFuture<Results> stop(List<Target> targets) {
        return resultsOf(daemon.supervisor().stop(texts(targets)));
    }

    @Override
    public CompletableFuture<Results> restart(List<Target> targets) {
        return resultsOf(daemon.supervisor().restart(texts(targets)));
    }

    @Override
    public CompletableFuture<Results> signal(String signal, List<Target> targets) {
        Signal parsed = Signal.parse(signal).orElse(null);
        if (parsed == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("unknown signal: " + signal));
        }
        return resultsOf(daemon.supervisor().signal(parsed, texts(targets)));
    }

    /** The supervisor still takes targets as text; each in its canonical form reads the same to it. */
    private static List<String> texts(List<Target> targets) {
        return targets.stream().map(Target::toString).toList();
    }

    @Override
    public CompletableFuture<Message> shutdown() {
        return CompletableFuture.completedFuture(daemon.requestShutdown("shutdown requested over the control socket"));
    }

    @Override
    public CompletableFuture<CompletableFuture<ReloadSummary>> reload(ReloadRequest request,
                                                                      Consumer<ReloadStep> progress) {
        return daemon.reloads().reload(request, event -> progress.accept(step(event)))
                .thenApply(results -> results.thenApply(DaemonApi::summary));
    }

    @Override
    public CompletableFuture<CompletableFuture<UpgradeSummary>> upgrade(Consumer<ReloadStep> progress) {
        return daemon.upgrade(progress);
    }

    static ReloadStep step(ReloadEvent e) {
        return new ReloadStep(e.program(), e.worker(), e.generation(), e.event(), e.message());
    }

    static ReloadSummary summary(List<ReloadResult> results) {
        return new ReloadSummary(results.stream().map(r -> new ProgramReload(r.program(), r.generation(),
                r.outcome().name().toLowerCase(Locale.ROOT), !r.outcome().failed(), r.message(), r.durationMillis(),
                r.failedWorker(), r.lastLines(), r.canary())).toList());
    }

    @Override
    public CompletableFuture<TargetSelection> resolve(List<String> targets) {
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(TargetSelection.NONE);
        }
        return daemon.submit(() -> daemon.targets().resolve(targets));
    }

    @Override
    public CompletableFuture<PidReply> pid(TargetSelection selection) {
        return daemon.supervisor().status().thenApply(workers -> pids(Posix.getpid(), selection, workers));
    }

    /** The daemon's pid, and each selected worker's in status order. */
    static PidReply pids(int daemon, TargetSelection selection, List<WorkerStatus> workers) {
        return new PidReply(daemon, workers.stream()
                .filter(w -> !selection.isEmpty() && selection.matches(w.program(), w.index(), w.name()))
                .map(w -> new PidReply.WorkerPid(w.name(), w.program(), w.pid())).toList());
    }

    @Override
    public CompletableFuture<ConfigReply> config() {
        return daemon.reloads().compare();
    }

    @Override
    public CompletableFuture<CompletableFuture<ReloadSummary>> update(ReloadRequest request,
                                                                      Consumer<ReloadStep> progress) {
        return daemon.reloads().update(request, event -> progress.accept(step(event)))
                .thenApply(results -> results.thenApply(DaemonApi::summary));
    }

    @Override
    public LogHub logs() {
        return daemon.hub();
    }

    /** The workers from the loop; the rest (proxy counters, /proc, the text) on the metrics thread. */
    @Override
    public CompletableFuture<MetricsText> metrics() {
        return daemon.supervisor().status().thenCombine(daemon.supervisor().recycledCounts(), Scrape::new)
                .thenApplyAsync(s -> metrics(s.workers(), s.recycled()), daemon.metricsThread());
    }

    /** What one scrape takes from the supervisor's loop. */
    private record Scrape(List<WorkerStatus> workers, Map<String, Map<String, Long>> recycled) {
    }

    private MetricsText metrics(List<WorkerStatus> workers, Map<String, Map<String, Long>> recycled) {
        Set<Integer> groups = workers.stream().map(WorkerStatus::pid).filter(pid -> pid > 0)
                .collect(Collectors.toSet());
        MetricsInput in = new MetricsInput(workers.stream().map(WorkerStatus::program).distinct().toList(), workers,
                daemon.frontends().stats(), daemon.frontends().traffic(), daemon.reloadCounters(),
                PROCESSES.groups(groups), PROCESSES.self(), daemon.processStartedAt(), Version.current(), recycled);
        return new MetricsText(Exposition.CONTENT_TYPE, Exposition.write(in));
    }

    /**
     * Not in the pool (leaving, stopping) or handed over: answered at once, without the loop, however busy it is.
     * Serving: the programs from the loop, within {@link #PROBE_DEADLINE}, and the proxy's backends.
     */
    @Override
    public CompletableFuture<ProbeReply> ready(Optional<String> program) {
        if (daemon.state() != Lifecycle.State.SERVING) {
            return CompletableFuture.completedFuture(Readiness.decide(daemon.state(), List.of(), Map.of(), program));
        }
        return askLoop(this::programs).handle((programs, e) -> e != null
                ? ProbeReply.unavailable("not ready: " + loopFailure(e))
                : Readiness.decide(daemon.state(), programs, daemon.frontends().stats(), program));
    }

    @Override
    public CompletableFuture<ProbeReply> live() {
        return askLoop(() -> true).handle((answered, e) -> e != null
                ? ProbeReply.unavailable("not live: " + loopFailure(e)) : ProbeReply.ok("live"));
    }

    /** How long a probe waits for the supervisor loop before answering 503. */
    static final long PROBE_DEADLINE_MILLIS = 2_000;

    private <T> CompletableFuture<T> askLoop(java.util.function.Supplier<T> task) {
        try {
            return daemon.submit(task).orTimeout(PROBE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) { // the loop has stopped: the daemon exits
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String loopFailure(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof TimeoutException
                ? "the supervisor loop did not answer within " + PROBE_DEADLINE_MILLIS / 1000 + "s"
                : "the supervisor loop has stopped";
    }

    /** Every program the supervisor runs, with its RUNNING workers; loop thread. */
    private List<Readiness.Program> programs() {
        Map<String, Integer> running = new HashMap<>();
        for (Worker w : daemon.supervisor().allWorkers()) {
            if (w.state() == WorkerState.RUNNING) {
                running.merge(w.config().name(), 1, Integer::sum);
            }
        }
        return daemon.supervisor().configs().stream().map(c -> new Readiness.Program(c.name(),
                c.proxy().isPresent(), running.getOrDefault(c.name(), 0))).toList();
    }

    static Results results(List<Supervisor.Result> results) {
        return new Results(results.stream().map(r -> new Results.WorkerResult(r.worker(), r.ok(), r.message()))
                .toList());
    }

    private static CompletableFuture<Results> resultsOf(CompletableFuture<List<Supervisor.Result>> results) {
        return results.thenApply(DaemonApi::results);
    }
}
