package dev.baton.supervisor.cli;

import dev.baton.supervisor.Target;
import dev.baton.supervisor.control.ConfigReply;
import dev.baton.supervisor.control.ControlApi;
import dev.baton.supervisor.control.ControlServer;
import dev.baton.supervisor.control.Message;
import dev.baton.supervisor.control.PidReply;
import dev.baton.supervisor.control.ReloadRequest;
import dev.baton.supervisor.control.ReloadStep;
import dev.baton.supervisor.control.ReloadSummary;
import dev.baton.supervisor.control.Results;
import dev.baton.supervisor.control.StatusReply;
import dev.baton.supervisor.control.TargetSelection;
import dev.baton.supervisor.log.LogHub;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A control server on a real unix socket in front of canned answers, for driving CLI commands without a daemon.
 * Tests set the answers, run {@link #baton} and read what the command printed.
 */
final class FakeDaemon implements ControlApi, AutoCloseable {

    /** What a CLI command printed, and its exit code. */
    record Run(int exit, String out, String err) {
    }

    private final ControlServer server;
    final List<String> requests = new ArrayList<>();
    final LogHub hub = LogHub.withDefaults();
    final List<List<String>> resolved = new ArrayList<>();
    StatusReply status;
    ConfigReply config;
    List<ReloadStep> steps = List.of();
    ReloadSummary summary = new ReloadSummary(List.of());
    Message shutdownAnswer = new Message("shutting down", 0);

    FakeDaemon(Path socket) throws IOException {
        server = ControlServer.bind(socket, Optional.empty(), this);
    }

    Run baton(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(1, List.of("-s", server.socket().toString()));
        String[] argv = all.toArray(String[]::new);
        int exit = BatonCommand.create(new PrintWriter(out), new PrintWriter(err), argv).execute(argv);
        return new Run(exit, out.toString(), err.toString());
    }

    @Override
    public CompletableFuture<StatusReply> status() {
        return CompletableFuture.completedFuture(status);
    }

    @Override
    public CompletableFuture<Results> start(List<Target> targets) {
        return results("start", targets);
    }

    @Override
    public CompletableFuture<Results> stop(List<Target> targets) {
        return results("stop", targets);
    }

    @Override
    public CompletableFuture<Results> restart(List<Target> targets) {
        return results("restart", targets);
    }

    @Override
    public CompletableFuture<Results> signal(String signal, List<Target> targets) {
        return results("signal " + signal, targets);
    }

    /** Each target succeeds, except a worker with index 9, which fails. */
    private CompletableFuture<Results> results(String action, List<Target> targets) {
        requests.add(action + " " + targets);
        return CompletableFuture.completedFuture(new Results(targets.stream()
                .map(t -> new Results.WorkerResult(t.toString(), t.index() != 9, t.index() != 9 ? "done" : "failed"))
                .toList()));
    }

    @Override
    public CompletableFuture<Message> shutdown() {
        requests.add("shutdown");
        return CompletableFuture.completedFuture(shutdownAnswer);
    }

    @Override
    public CompletableFuture<CompletableFuture<dev.baton.supervisor.control.UpgradeSummary>> upgrade(
            Consumer<ReloadStep> progress) {
        requests.add("upgrade");
        return CompletableFuture.failedFuture(new IllegalStateException("an upgrade is running"));
    }

    @Override
    public CompletableFuture<CompletableFuture<ReloadSummary>> reload(ReloadRequest request,
                                                                      Consumer<ReloadStep> progress) {
        requests.add("reload " + request.programs() + (request.canary() ? " canary" : ""));
        if (request.programs().contains("busy")) {
            return CompletableFuture.failedFuture(new IllegalStateException("a reload of busy is already running"));
        }
        steps.forEach(progress);
        return CompletableFuture.completedFuture(CompletableFuture.completedFuture(summary));
    }

    /**
     * Group {@code app} is web and api, {@code web_08} is worker web:8 by name; the common forms select what they
     * say, except program {@code nope}, which selects nothing.
     */
    @Override
    public CompletableFuture<TargetSelection> resolve(List<String> texts) {
        resolved.add(texts);
        java.util.Set<Target> targets = new java.util.LinkedHashSet<>();
        for (String text : texts) {
            if (text.equals("app")) {
                targets.addAll(List.of(Target.program("web"), Target.program("api")));
            } else if (text.equals("web_08") || text.equals("app:web_08")) {
                targets.add(Target.worker("web", 8));
            } else if (Target.isCommonForm(text) && !text.startsWith("nope")) {
                targets.add(Target.parse(text));
            } else {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "no such program, group or worker: " + text));
            }
        }
        return CompletableFuture.completedFuture(new TargetSelection(List.copyOf(targets),
                targets.contains(Target.worker("web", 8)) ? List.of("web_08") : List.of()));
    }

    /** The pids of the workers of {@link #status} the selection matches. */
    @Override
    public CompletableFuture<PidReply> pid(TargetSelection selection) {
        return CompletableFuture.completedFuture(new PidReply(status.daemon().pid(), status.workers().stream()
                .filter(w -> !selection.isEmpty() && selection.matches(w.program(), w.index(), w.name()))
                .map(w -> new PidReply.WorkerPid(w.name(), w.program(), w.pid())).toList()));
    }

    @Override
    public CompletableFuture<ConfigReply> config() {
        requests.add("config");
        return config == null ? CompletableFuture.failedFuture(new IllegalArgumentException(
                "cannot read the configuration: 1 error\nbaton.toml:3:1: program.web.numprocs: must be at least 1"))
                : CompletableFuture.completedFuture(config);
    }

    @Override
    public CompletableFuture<CompletableFuture<ReloadSummary>> update(ReloadRequest request,
                                                                      Consumer<ReloadStep> progress) {
        requests.add("update " + request.programs() + (request.waitIfBusy() ? " wait" : ""));
        steps.forEach(progress);
        return CompletableFuture.completedFuture(CompletableFuture.completedFuture(summary));
    }

    @Override
    public LogHub logs() {
        return hub;
    }

    @Override
    public CompletableFuture<dev.baton.supervisor.control.MetricsText> metrics() {
        return CompletableFuture.failedFuture(new IllegalStateException("no metrics in the fake daemon"));
    }

    @Override
    public CompletableFuture<dev.baton.supervisor.control.ProbeReply> ready(java.util.Optional<String> program) {
        return CompletableFuture.completedFuture(dev.baton.supervisor.control.ProbeReply.ok("ready"));
    }

    @Override
    public CompletableFuture<dev.baton.supervisor.control.ProbeReply> live() {
        return CompletableFuture.completedFuture(dev.baton.supervisor.control.ProbeReply.ok("live"));
    }

    @Override
    public void close() {
        server.close();
    }
}
