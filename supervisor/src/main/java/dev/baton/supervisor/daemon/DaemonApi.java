package dev.baton.supervisor.daemon;

import dev.baton.supervisor.Supervisor;
import dev.baton.supervisor.WorkerStatus;
import dev.baton.supervisor.ReloadEvent;
import dev.baton.supervisor.ReloadResult;
import dev.baton.supervisor.Main;

import dev.baton.conf.Signal;
import dev.baton.proxy.BackendStats;
import dev.baton.proxy.ProgramStats;
import dev.baton.supervisor.control.ControlApi;
import dev.baton.supervisor.log.LogHub;
import dev.baton.supervisor.process.Posix;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The control API of a running {@link Daemon}, as JSON-ready maps. */
final class DaemonApi implements ControlApi {

    private final Daemon daemon;

    DaemonApi(Daemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public CompletableFuture<Object> status() {
        return daemon.supervisor().status().thenApply(workers -> {
            long now = System.currentTimeMillis();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("pid", Posix.getpid());
            info.put("version", Main.version());
            info.put("config", daemon.config().file().toString());
            info.put("socket", daemon.config().daemon().socket().toString());
            info.put("uptime_ms", now - daemon.startedAt());
            Map<String, ProgramStats> proxied = daemon.frontends().stats();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("daemon", info);
            body.put("programs", proxied.values().stream().map(DaemonApi::program).toList());
            body.put("workers", workers.stream().map(w -> worker(w, now, proxied.get(w.program()))).toList());
            return body;
        });
    }

    private static Map<String, Object> program(ProgramStats p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("listen", p.listen());
        m.put("queued", p.queued());
        return m;
    }

    private static Map<String, Object> worker(WorkerStatus w, long now, ProgramStats proxy) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", w.name());
        m.put("program", w.program());
        m.put("index", w.index());
        m.put("generation", w.generation());
        m.put("state", w.state().name());
        m.put("pid", w.pid());
        m.put("uptime_ms", w.startedAt() > 0 ? now - w.startedAt() : 0);
        m.put("since_ms", now - w.since());
        m.put("reason", w.reason());
        m.put("restarts", w.restarts());
        m.put("port", w.port());
        m.put("socket", w.socket() == null ? null : w.socket().toString());
        m.put("held", w.held());
        if (proxy != null) {
            BackendStats backend = proxy.backends().stream()
                    .filter(b -> b.id().equals(w.name()) && b.generation() == w.generation()).findFirst().orElse(null);
            m.put("backend", backend == null ? "NONE" : backend.state());
            m.put("inflight", backend == null ? 0 : backend.inflight());
        }
        return m;
    }

    @Override
    public CompletableFuture<Object> start(List<String> targets) {
        return results(daemon.supervisor().start(targets));
    }

    @Override
    public CompletableFuture<Object> stop(List<String> targets) {
        return results(daemon.supervisor().stop(targets));
    }

    @Override
    public CompletableFuture<Object> restart(List<String> targets) {
        return results(daemon.supervisor().restart(targets));
    }

    @Override
    public CompletableFuture<Object> signal(String signal, List<String> targets) {
        Signal parsed = Signal.parse(signal).orElse(null);
        if (parsed == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("unknown signal: " + signal));
        }
        return results(daemon.supervisor().signal(parsed, targets));
    }

    @Override
    public CompletableFuture<Object> shutdown() {
        daemon.shutdown("shutdown requested over the control socket");
        return CompletableFuture.completedFuture(Map.of("message", "shutting down"));
    }

    @Override
    public CompletableFuture<CompletableFuture<Object>> reload(List<String> programs, boolean wait,
                                                               java.util.function.Consumer<Object> progress) {
        return daemon.reload(programs, wait, event -> progress.accept(event(event)))
                .thenApply(results -> results.thenApply(DaemonApi::summary));
    }

    private static Map<String, Object> event(ReloadEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("program", e.program());
        m.put("worker", e.worker());
        m.put("generation", e.generation());
        m.put("event", e.event());
        m.put("message", e.message());
        return m;
    }

    private static Object summary(List<ReloadResult> results) {
        List<Object> list = results.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("program", r.program());
            m.put("generation", r.generation());
            m.put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
            m.put("ok", !r.outcome().failed());
            m.put("message", r.message());
            m.put("duration_ms", r.durationMillis());
            m.put("failed_worker", r.failedWorker());
            m.put("last_lines", r.lastLines());
            return (Object) m;
        }).toList();
        return Map.of("summary", list);
    }

    @Override
    public CompletableFuture<Object> checkTargets(List<String> targets) {
        if (targets.isEmpty() || targets.contains("all")) {
            return CompletableFuture.completedFuture(Map.of());
        }
        return daemon.supervisor().status().thenApply(workers -> {
            for (String t : targets) {
                String name = t.contains(":") ? t.substring(0, t.lastIndexOf(':')) : t;
                boolean known = workers.stream().anyMatch(w -> w.program().equals(name)
                        && (!t.contains(":") || t.endsWith(":*") || w.name().equals(t)));
                if (!known) {
                    throw new IllegalArgumentException("no such program or worker: " + t);
                }
            }
            return Map.of();
        });
    }

    @Override
    public LogHub logs() {
        return daemon.hub();
    }

    private static CompletableFuture<Object> results(CompletableFuture<List<Supervisor.Result>> results) {
        return results.thenApply(list -> Map.of("results", list.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("worker", r.worker());
            m.put("ok", r.ok());
            m.put("message", r.message());
            return m;
        }).toList()));
    }
}
