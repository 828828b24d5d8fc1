package dev.baton.supervisor.cli;

import dev.baton.supervisor.Target;
import dev.baton.supervisor.control.ControlApi;
import dev.baton.supervisor.control.ControlServer;
import dev.baton.supervisor.control.Message;
import dev.baton.supervisor.control.ReloadRequest;
import dev.baton.supervisor.control.ReloadStep;
import dev.baton.supervisor.control.ReloadSummary;
import dev.baton.supervisor.control.Results;
import dev.baton.supervisor.control.StatusReply;
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
    StatusReply status;
    List<ReloadStep> steps = List.of();
    ReloadSummary summary = new ReloadSummary(List.of());

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
        return CompletableFuture.completedFuture(new Message("shutting down", 0));
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

    @Override
    public CompletableFuture<Void> checkTargets(List<Target> targets) {
        requests.add("logs " + targets);
        return targets.stream().anyMatch(t -> !t.isAll() && !t.program().equals("web"))
                ? CompletableFuture.failedFuture(new IllegalArgumentException("no such program or worker: "
                + targets.get(targets.size() - 1)))
                : CompletableFuture.completedFuture(null);
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
    public void close() {
        server.close();
    }
}
