package dev.baton.supervisor.control;

import dev.baton.supervisor.Target;
import dev.baton.supervisor.log.LogHub;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** A {@link ControlApi} with fixed answers: {@link #STATUS}, empty results, an empty reload, logs from {@link #hub}. */
final class CannedApi implements ControlApi {

    static final StatusReply STATUS = new StatusReply(
            new StatusReply.DaemonInfo(1, "dev", "baton.toml", "baton.sock", 5), List.of(), List.of());

    final LogHub hub = LogHub.withDefaults();

    private static CompletableFuture<Results> none() {
        return CompletableFuture.completedFuture(new Results(List.of()));
    }

    @Override public CompletableFuture<StatusReply> status() { return CompletableFuture.completedFuture(STATUS); }
    @Override public CompletableFuture<Results> start(List<Target> t) { return none(); }
    @Override public CompletableFuture<Results> stop(List<Target> t) { return none(); }
    @Override public CompletableFuture<Results> restart(List<Target> t) { return none(); }
    @Override public CompletableFuture<Results> signal(String s, List<Target> t) { return none(); }
    @Override public CompletableFuture<Message> shutdown() {
        return CompletableFuture.completedFuture(new Message("shutting down", 0));
    }
    @Override public CompletableFuture<CompletableFuture<ReloadSummary>> reload(ReloadRequest r,
            Consumer<ReloadStep> progress) {
        return CompletableFuture.completedFuture(CompletableFuture.completedFuture(new ReloadSummary(List.of())));
    }
    @Override public CompletableFuture<CompletableFuture<UpgradeSummary>> upgrade(Consumer<ReloadStep> progress) {
        return CompletableFuture.failedFuture(new IllegalStateException("an upgrade is running"));
    }
    /** The common forms ({@code web}, {@code web:2}, {@code all}); anything else selects nothing. */
    @Override public CompletableFuture<TargetSelection> resolve(List<String> texts) {
        List<Target> targets = new java.util.ArrayList<>();
        for (String text : texts) {
            if (!Target.isCommonForm(text)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "no such program, group or worker: " + text));
            }
            targets.add(Target.parse(text));
        }
        return CompletableFuture.completedFuture(new TargetSelection(targets, List.of()));
    }
    @Override public CompletableFuture<PidReply> pid(TargetSelection s) {
        return CompletableFuture.completedFuture(new PidReply(1, List.of()));
    }
    @Override public CompletableFuture<ConfigReply> config() {
        return CompletableFuture.completedFuture(new ConfigReply("baton.toml", List.of(), List.of()));
    }
    @Override public CompletableFuture<CompletableFuture<ReloadSummary>> update(ReloadRequest r,
            Consumer<ReloadStep> progress) {
        return reload(r, progress);
    }
    @Override public LogHub logs() { return hub; }
    @Override public CompletableFuture<MetricsText> metrics() {
        return CompletableFuture.completedFuture(new MetricsText("text/plain; version=0.0.4; charset=utf-8",
                METRICS.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Override public CompletableFuture<ProbeReply> ready(java.util.Optional<String> program) {
        return CompletableFuture.completedFuture(program.isEmpty() ? ProbeReply.ok("ready")
                : ProbeReply.unknown("no such program: " + program.get()));
    }
    @Override public CompletableFuture<ProbeReply> live() {
        return CompletableFuture.completedFuture(ProbeReply.ok("live"));
    }

    static final String METRICS = "# HELP up Canned.\n# TYPE up gauge\nup 1\n";
}
