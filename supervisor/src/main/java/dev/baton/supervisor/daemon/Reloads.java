package dev.baton.supervisor.daemon;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigException;
import dev.baton.conf.ConfigLoader;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.ReloadStrategy;
import dev.baton.supervisor.Log;
import dev.baton.supervisor.ReloadEvent;
import dev.baton.supervisor.ReloadResult;
import dev.baton.supervisor.Supervisor;
import dev.baton.supervisor.control.ConfigReply;
import dev.baton.supervisor.control.ConfigReply.ProgramState;
import dev.baton.supervisor.control.ReloadRequest;
import dev.baton.supervisor.events.ReloadEvents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The reload thread ({@code baton-reload}): {@code baton reload} and SIGHUP read and check the file, bind new listen
 * addresses (blocking work) here, one request at a time, then hand the reload to the supervisor loop as one
 * transaction. {@code baton upgrade} starts here too, so that a reload and an upgrade never start together.
 */
final class Reloads {

    private final Daemon daemon;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "baton-reload");
        t.setDaemon(true);
        return t;
    });

    Reloads(Daemon daemon) {
        this.daemon = daemon;
    }

    /** Runs {@code task} on the reload thread, after the requests before it. */
    void execute(Runnable task) {
        thread.execute(task);
    }

    /**
     * {@code baton reload}: re-reads the configuration file and applies it to {@code names} (every program when
     * empty). Runs on the reload thread, one request at a time. The returned future completes once the reload has
     * started, with the future of its results; it fails with {@link IllegalArgumentException} (invalid file,
     * unknown program: nothing changed) or {@link Supervisor.BusyException} (a named program is reloading, without
     * {@code wait}).
     */
    CompletableFuture<CompletableFuture<List<ReloadResult>>> reload(ReloadRequest request,
                                                                    Consumer<ReloadEvent> progress) {
        return CompletableFuture.supplyAsync(() -> tryReload(request, progress), thread).thenCompose(f -> f);
    }

    /** What the loop says before a reload: the programs busy reloading, or else what to bind. */
    private record Check(List<String> busy, ListenPlan plan) {
    }

    /**
     * On the reload thread: reads and checks the file; asks the loop whether the programs are busy and which listen
     * addresses to bind; binds them here (binding blocks); then hands it all to the loop, which applies the reload
     * as one transaction. With {@code wait}, comes back once the programs are idle, without holding the thread
     * meanwhile; the file is read again then.
     */
    private CompletableFuture<CompletableFuture<List<ReloadResult>>> tryReload(ReloadRequest request,
                                                                                Consumer<ReloadEvent> progress) {
        if (daemon.shuttingDown()) {
            throw new IllegalStateException("Baton is shutting down");
        }
        String upgrading = daemon.upgradeBusy();
        if (upgrading != null) {
            throw new IllegalStateException("cannot reload: " + upgrading);
        }
        BatonConfig file = readConfig();
        List<String> names = request.programs().isEmpty() ? List.of()
                : daemon.onLoop(() -> daemon.targets().programs(request.programs(), file));
        BatonConfig next = request.canary() ? canary(file, names) : file;
        Check check = daemon.onLoop(() -> {
            for (String name : names) {
                if (next.program(name).isEmpty() && !daemon.supervisor().programNames().contains(name)) {
                    throw new IllegalArgumentException("no such program: " + name + " (programs: " + String.join(
                            ", ", next.programs().stream().map(ProgramConfig::name).toList()) + ")");
                }
            }
            List<String> busy = daemon.supervisor().busyNow(names);
            return new Check(busy, busy.isEmpty() ? daemon.frontends().plan(next, names) : null);
        });
        if (!check.busy().isEmpty()) {
            if (!request.waitIfBusy()) {
                throw new Supervisor.BusyException(check.busy());
            }
            Log.info("reload waits for the reload of " + String.join(", ", check.busy()) + " to end");
            return daemon.supervisor().whenIdle(names).thenComposeAsync(v -> tryReload(new ReloadRequest(names, true,
                    request.canary()), progress), thread);
        }
        if (!next.daemon().equals(daemon.config().daemon())) {
            Log.warn("changes to [baton] take effect with baton upgrade (or at the next baton run)");
        }
        Log.info("reloading " + (names.isEmpty() ? "every program" : String.join(", ", names)) + " from "
                + daemon.config().file());
        daemon.groups(next.groups());
        ListenPlan.Bound bound = daemon.frontends().bind(check.plan());
        ReloadEvents events = new ReloadEvents(daemon.events()::emit, System::currentTimeMillis);
        CompletableFuture<List<ReloadResult>> results = daemon.onLoop(() -> {
            daemon.frontends().prepare(bound);
            try {
                return daemon.supervisor().reloadNow(next, names, bound.refused(), events.watching(progress));
            } catch (RuntimeException e) {
                bound.listeners().keySet().forEach(daemon.frontends()::abandoned);
                throw e;
            }
        });
        return CompletableFuture.completedFuture(results.whenComplete((list, e) -> {
            if (e == null) {
                list.forEach(daemon.reloadCounters()::record);
                events.ended(list);
                list.forEach(r -> (r.outcome().failed() ? (Consumer<String>) Log::warn
                        : (Consumer<String>) Log::info).accept("reload: " + r.message()));
            }
        }));
    }

    /**
     * {@code baton reload --canary}: the named programs (all when none) reload as canaries; one without
     * {@code listen} cannot, and nothing is done.
     */
    private static BatonConfig canary(BatonConfig config, List<String> names) {
        List<ProgramConfig> programs = new ArrayList<>();
        for (ProgramConfig p : config.programs()) {
            boolean selected = names.isEmpty() || names.contains(p.name());
            if (selected && p.proxy().isEmpty()) {
                throw new IllegalArgumentException("--canary: " + p.name() + " has no listen: a canary's share of"
                        + " requests goes through Baton's proxy" + (names.isEmpty() ? " (name the programs to reload)"
                        : ""));
            }
            programs.add(selected ? p.withReloadStrategy(ReloadStrategy.CANARY) : p);
        }
        return new BatonConfig(config.file(), config.daemon(), programs);
    }

    /** The configuration file as it is now; every error at once, logged, as an {@link IllegalArgumentException}. */
    private BatonConfig readConfig() {
        try {
            return read("configuration not reloaded, nothing changed");
        } catch (IllegalArgumentException e) {
            e.getMessage().lines().forEach(Log::warn);
            throw e;
        }
    }

    /**
     * The configuration file (with its includes) as it is now; every error at once, as an
     * {@link IllegalArgumentException}: {@code heading: N errors}, then one line each. Any thread.
     */
    BatonConfig read(String heading) {
        try {
            return ConfigLoader.load(daemon.config().file(), System.getenv());
        } catch (ConfigException e) {
            List<String> lines = new ArrayList<>();
            lines.add(heading + ": " + e.errors().size() + (e.errors().size() == 1 ? " error" : " errors"));
            e.errors().forEach(error -> lines.add(error.toString()));
            throw new IllegalArgumentException(String.join("\n", lines));
        }
    }

    /** {@code baton reread}, {@code baton avail}: the file read now (on the reload thread) compared with what runs. */
    CompletableFuture<ConfigReply> compare() {
        return CompletableFuture.supplyAsync(() -> read("cannot read the configuration"), thread)
                .thenCompose(file -> daemon.submit(() -> ConfigDiff.compare(file, daemon.supervisor().configs(),
                        daemon.groups())));
    }

    /**
     * {@code baton update}: reloads the programs the file changes, adds or removes (among {@code request}'s, all
     * when none), as {@link #reload} would; the groups of the file apply too. Completes with no results when the
     * file is what runs.
     */
    CompletableFuture<CompletableFuture<List<ReloadResult>>> update(ReloadRequest request,
                                                                    Consumer<ReloadEvent> progress) {
        return CompletableFuture.supplyAsync(() -> {
            BatonConfig file = readConfig();
            return daemon.onLoop(() -> {
                List<String> named = request.programs().isEmpty() ? List.of()
                        : daemon.targets().programs(request.programs(), file);
                ConfigReply diff = ConfigDiff.compare(file, daemon.supervisor().configs(), daemon.groups());
                diff.groups().stream().filter(g -> !g.state().equals(ConfigReply.IN_USE)).forEach(g -> progress.accept(
                        new ReloadEvent(g.name(), "", 0, "updated", "group " + g.name() + ": " + describe(g.state(),
                                g.changes()))));
                daemon.groups(file.groups());
                return diff.programs().stream().filter(p -> !p.state().equals(ConfigReply.IN_USE)
                        && (named.isEmpty() || named.contains(p.name()))).map(ProgramState::name).toList();
            });
        }, thread).thenCompose(names -> names.isEmpty()
                ? CompletableFuture.completedFuture(CompletableFuture.completedFuture(List.<ReloadResult>of()))
                : reload(new ReloadRequest(names, request.waitIfBusy(), false), progress));
    }

    /** {@code changed (command, numprocs)}, {@code added}, {@code removed}. */
    static String describe(String state, List<String> changes) {
        return state.equals(ConfigReply.CHANGED) ? state + " (" + String.join(", ", changes) + ")" : state;
    }

    /**
     * SIGHUP: reloads every program, like {@code baton reload --wait} (a HUP during a reload runs once that one has
     * ended: a signal has no one to tell "busy"); the steps and outcome go to Baton's log.
     */
    void reloadOnSignal() {
        reload(new ReloadRequest(List.of(), true, false), event -> { }).whenComplete((started, e) -> {
            if (e != null) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                Log.warn("SIGHUP: reload refused: " + cause.getMessage().lines().findFirst().orElse(""));
            }
        });
    }
}
