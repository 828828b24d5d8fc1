package dev.baton.supervisor.daemon;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ListenAddress;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.ProxyConfig;
import dev.baton.proxy.BackendListener;
import dev.baton.proxy.BackendStats;
import dev.baton.proxy.BackendView;
import dev.baton.proxy.Listener;
import dev.baton.proxy.ProgramStats;
import dev.baton.proxy.TrafficStats;
import dev.baton.proxy.ProgramView;
import dev.baton.proxy.ProxiedProgram;
import dev.baton.proxy.ProxyLog;
import dev.baton.proxy.ProxyServer;
import dev.baton.proxy.ProxySettings;
import dev.baton.supervisor.Generation;
import dev.baton.supervisor.Log;
import dev.baton.supervisor.Roster;
import dev.baton.supervisor.Traffic;
import dev.baton.supervisor.WorkerTraffic;
import dev.baton.supervisor.Worker;
import dev.baton.supervisor.WorkerStatus;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The programs Baton serves through its proxy (those whose serving generation has {@code listen}): their listeners,
 * the proxy's view of their workers, and their access logs. Everything here runs on the supervisor loop, except
 * {@link #bind} (the reload thread, or the main thread at start: binding blocks) and the proxy's callbacks.
 *
 * <p>A listener is bound once and kept while its address stays in the program's configuration: a reload that
 * changes other proxy keys changes the settings in place, and client connections stay attached. A reload that
 * changes {@code listen} binds the new addresses before it starts; they start accepting at the switch, and the
 * addresses dropped close after that. A rolled back reload closes what it bound, unused.
 */
final class Frontends implements Closeable, Traffic {

    /** What the proxy reports about backends; see {@link BackendListener}. */
    interface Events {
        void ready(String program, BackendView.Key worker);

        void drained(String program, BackendView.Key worker);

        void health(String program, BackendView.Key worker, boolean routable);
    }

    /** One served program. */
    private static final class Front {
        final ProxiedProgram proxy;
        ProxyConfig config;
        final Map<ListenAddress, Listener> listeners = new LinkedHashMap<>();

        Front(ProxiedProgram proxy, ProxyConfig config) {
            this.proxy = proxy;
            this.config = config;
        }
    }

    private final Events events;
    private final AccessLogs accessLogs = new AccessLogs();
    /** Written on the loop only; read by {@link #stats()} from the control thread too. */
    private final Map<String, Front> fronts = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per program: listeners bound for its next switch (or, for a new program, its start). */
    private final Map<String, Map<ListenAddress, Listener>> prepared = new HashMap<>();
    private ProxyServer server;
    /** While true, listeners stay prepared and accept nothing ({@link #hold}); loop thread. */
    private boolean holding;

    Frontends(Events events) {
        this.events = events;
    }

    private final ProxyLog log = new ProxyLog() {
        @Override
        public void info(String message) {
            Log.info(message);
        }

        @Override
        public void warn(String message) {
            Log.warn(message);
        }

        @Override
        public boolean logsAccess(String program) {
            return accessLogs.logs(program);
        }

        @Override
        public void access(String program, String line) {
            accessLogs.write(program, line);
        }
    };

    /** The proxy, started with the first program that needs it. Any thread. */
    private synchronized ProxyServer server() {
        if (server == null) {
            server = ProxyServer.start(log);
        }
        return server;
    }

    // ---- listeners: plan (loop), bind (reload thread), prepare (loop) --------------------------------------------

    /**
     * What {@code next} needs bound for the programs in {@code selected} (every program of {@code next} when
     * null): addresses served by nobody are bound; an address of a program this reload removes is taken over; an
     * address another program keeps refuses the reload of the program that wants it. Loop thread.
     */
    ListenPlan plan(BatonConfig next, List<String> selected) {
        Map<String, List<ListenAddress>> toBind = new LinkedHashMap<>();
        Map<String, Map<ListenAddress, String>> takeOver = new LinkedHashMap<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (ProgramConfig p : next.programs()) {
            if (p.proxy().isEmpty() || selected != null && !selected.isEmpty() && !selected.contains(p.name())) {
                continue;
            }
            for (ListenAddress address : p.proxy().get().listen()) {
                String holder = holder(address);
                if (p.name().equals(holder)) {
                    continue;
                }
                if (holder == null) {
                    toBind.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(address);
                } else if (next.program(holder).isEmpty() && (selected == null || selected.isEmpty()
                        || selected.contains(holder))) {
                    takeOver.computeIfAbsent(p.name(), k -> new LinkedHashMap<>()).put(address, holder);
                } else {
                    refused.putIfAbsent(p.name(), "cannot listen on " + address + ": program " + holder
                            + " serves it (reload " + holder + " without it first)");
                }
            }
        }
        return new ListenPlan(toBind, takeOver, refused);
    }

    private String holder(ListenAddress address) {
        for (Map.Entry<String, Front> e : fronts.entrySet()) {
            if (e.getValue().listeners.containsKey(address)) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Binds what {@code plan} says; blocks. Reload thread, or the main thread at start. */
    ListenPlan.Bound bind(ListenPlan plan) {
        return plan.bind(address -> server().bind(ProxyConfigs.address(address)));
    }

    /**
     * Keeps what {@link #bind} bound for the switch of each program, and moves listeners taken over from removed
     * programs to their new program at once (its serving generation answers on them until its own switch). Loop.
     */
    void prepare(ListenPlan.Bound bound) {
        bound.listeners().forEach((program, listeners) -> prepared.computeIfAbsent(program, k -> new HashMap<>())
                .putAll(listeners));
        bound.takeOver().forEach((program, moves) -> moves.forEach((address, from) -> {
            Front old = fronts.get(from);
            Listener listener = old == null ? null : old.listeners.remove(address);
            if (listener == null) {
                return;
            }
            Front front = fronts.get(program);
            if (front == null || front.config == null) {
                prepared.computeIfAbsent(program, k -> new HashMap<>()).put(address, listener);
            } else {
                front.listeners.put(address, listener);
                front.proxy.listenOn(List.copyOf(front.listeners.values()));
            }
        }));
    }

    // ---- Traffic -------------------------------------------------------------------------------------------------

    @Override
    public void publish(Roster roster) {
        String name = roster.program();
        Optional<ProxyConfig> serving = roster.serving().flatMap(ProgramConfig::proxy);
        List<BackendView> views = new ArrayList<>();
        ProxyConfig any = serving.orElse(null);
        // one generation's workers share its ProxyConfig: each is turned into settings once per publish
        Map<ProxyConfig, ProxySettings> settings = new IdentityHashMap<>();
        for (Roster.Member m : roster.members()) {
            Optional<ProxyConfig> proxy = m.config().proxy();
            SocketAddress address = address(m.status());
            if (proxy.isPresent() && address != null) {
                views.add(new BackendView(m.status().name(), m.status().generation(), m.status().incarnation(),
                        address, role(m.role()),
                        settings.computeIfAbsent(proxy.get(), c -> ProxyConfigs.settings(name, c))));
                any = any == null ? proxy.get() : any;
            }
        }
        Front front = fronts.get(name);
        if (front == null) {
            if (any == null) {
                return;
            }
            front = open(name, serving.orElse(null), any);
        }
        ProxyConfig program = front.config != null ? front.config : any;
        front.proxy.publish(new ProgramView(settings.computeIfAbsent(program, c -> ProxyConfigs.settings(name, c)),
                views, roster.down(), roster.canaryWeight()));
        if (serving.isEmpty() && views.isEmpty()) {
            removed(name); // no longer proxied (or removed), and its last proxied worker is gone
        }
    }

    /** Starts serving {@code name}: with {@code serving} its listeners start accepting at once (start, added). */
    private Front open(String name, ProxyConfig serving, ProxyConfig any) {
        Front front = new Front(server().program(ProxyConfigs.settings(name, any), backendListener(name)), serving);
        fronts.put(name, front);
        if (serving != null) {
            attach(name, front, serving);
        }
        return front;
    }

    /** The program serves exactly {@code config}'s listen addresses from now on; its access log follows too. */
    private void attach(String name, Front front, ProxyConfig config) {
        Map<ListenAddress, Listener> ready = prepared.getOrDefault(name, Map.of());
        Map<ListenAddress, Listener> next = new LinkedHashMap<>();
        for (ListenAddress address : config.listen()) {
            Listener l = front.listeners.containsKey(address) ? front.listeners.get(address) : ready.get(address);
            if (l != null) {
                next.put(address, l);
            } else {
                Log.warn(name + ": listen " + address + " was not bound for this generation; not served");
            }
        }
        Map<ListenAddress, Listener> left = prepared.remove(name);
        if (left != null) {
            left.forEach((address, l) -> {
                if (!next.containsKey(address)) {
                    l.close();
                }
            });
        }
        front.config = config;
        front.listeners.clear();
        front.listeners.putAll(next);
        if (!holding) {
            front.proxy.listenOn(List.copyOf(next.values()));
        }
        accessLogs.configure(name, config.accessLog());
    }

    /**
     * A daemon taking over from a running one ({@code baton upgrade}): programs are given their listeners as usual,
     * but no listener accepts until {@link #release}, once every program's new workers are ready: until then the
     * daemon that handed them over serves them. Before anything is prepared; loop thread.
     */
    void hold() {
        holding = true;
    }

    /** Every served program starts accepting on its listeners (after {@link #hold}). Loop thread. */
    void release() {
        holding = false;
        fronts.forEach((name, front) -> {
            if (front.config != null) {
                front.proxy.listenOn(List.copyOf(front.listeners.values()));
            }
        });
    }

    /** The listeners every program serves now, to hand over to the daemon that replaces this one. Loop thread. */
    List<Listener> listeners() {
        List<Listener> all = new ArrayList<>();
        fronts.values().forEach(front -> all.addAll(front.listeners.values()));
        return all;
    }

    /**
     * The daemon that replaces this one accepts on every listener now: each stops accepting here without closing
     * the socket (see {@link Listener#handedOver}). The programs then drain as in a shutdown. Loop thread.
     */
    void handOver() {
        listeners().forEach(Listener::handedOver);
    }

    @Override
    public void switched(String program, Generation serving) {
        Optional<ProxyConfig> proxy = serving.config().proxy();
        Front front = fronts.get(program);
        if (proxy.isEmpty()) {
            if (front != null) {
                front.config = null;
                stopAccepting(program); // its draining workers finish; publish closes it once they are gone
            }
            return;
        }
        if (front == null) {
            front = open(program, null, proxy.get());
        }
        attach(program, front, proxy.get());
    }

    @Override
    public void abandoned(String program) {
        Map<ListenAddress, Listener> unused = prepared.remove(program);
        if (unused != null) {
            unused.values().forEach(Listener::close);
        }
    }

    @Override
    public CompletableFuture<Void> stopAccepting(String program) {
        Front front = fronts.get(program);
        if (front == null) {
            return CompletableFuture.completedFuture(null);
        }
        front.listeners.clear(); // the proxy closes them
        return front.proxy.stopAccepting();
    }

    @Override
    public void removed(String program) {
        abandoned(program);
        Front front = fronts.remove(program);
        if (front != null) {
            if (holding) { // listeners the proxy never got: its close would not close them
                front.listeners.values().forEach(Listener::close);
            }
            front.proxy.close();
            accessLogs.close(program);
        }
    }

    @Override
    public int inflight(Worker w) {
        Front front = fronts.get(w.config().name());
        if (front == null) {
            return 0;
        }
        return front.proxy.stats().backends().stream()
                .filter(b -> b.id().equals(w.name()) && b.generation() == w.generation()
                        && b.incarnation() == w.incarnation())
                .mapToInt(BackendStats::inflight).sum();
    }

    @Override
    public List<WorkerTraffic> workers(String program) {
        Front front = fronts.get(program);
        if (front == null) {
            return List.of();
        }
        return front.proxy.backendTraffic().stream().map(t -> new WorkerTraffic(t.key().id(), t.key().generation(),
                t.key().incarnation(), t.requests(), t.errors(), t.duration())).toList();
    }

    /** Every served program's listeners, queue and backends. Any thread. */
    Map<String, ProgramStats> stats() {
        Map<String, ProgramStats> stats = new TreeMap<>();
        fronts.forEach((name, front) -> stats.put(name, front.proxy.stats()));
        return stats;
    }

    /** Every served program's request counters. Any thread. */
    Map<String, TrafficStats> traffic() {
        Map<String, TrafficStats> traffic = new TreeMap<>();
        fronts.forEach((name, front) -> traffic.put(name, front.proxy.traffic()));
        return traffic;
    }

    void reopenLogs() {
        accessLogs.reopenAll();
    }

    /** Closes every program's proxy, and the proxy itself; after the supervisor stopped. */
    @Override
    public void close() {
        new ArrayList<>(fronts.keySet()).forEach(this::removed);
        new ArrayList<>(prepared.keySet()).forEach(this::abandoned);
        synchronized (this) {
            if (server != null) {
                server.close();
            }
        }
        accessLogs.close();
    }

    private BackendListener backendListener(String name) {
        return new BackendListener() {
            @Override
            public void ready(BackendView.Key key) {
                events.ready(name, key);
            }

            @Override
            public void drained(BackendView.Key key) {
                events.drained(name, key);
            }

            @Override
            public void health(BackendView.Key key, boolean routable) {
                events.health(name, key, routable);
            }
        };
    }

    private static SocketAddress address(WorkerStatus w) {
        if (w.socket() != null) {
            return new io.netty.channel.unix.DomainSocketAddress(w.socket().toString());
        }
        return w.port() > 0 && w.pid() > 0 ? new InetSocketAddress(InetAddress.getLoopbackAddress(), w.port()) : null;
    }

    private static BackendView.Role role(Roster.Role role) {
        return switch (role) {
            case HELD -> BackendView.Role.HELD;
            case SERVING -> BackendView.Role.SERVING;
            case CANARY -> BackendView.Role.CANARY;
            case DRAINING -> BackendView.Role.DRAINING;
            case STOPPING -> BackendView.Role.STOPPING;
        };
    }

    /** Binds every listen address of {@code config}: the start. Main thread, before the loop runs anything. */
    ListenPlan.Bound bindAll(BatonConfig config) throws IOException {
        return bindAll(config, Map.of());
    }

    /**
     * Like {@link #bindAll(BatonConfig)}, adopting the listening sockets handed over by the daemon this one
     * replaces ({@link Handoff#take}: descriptors keyed by {@code ProxyServer.describe}) where an address matches,
     * and binding the others. Descriptors no address of {@code config} wants are closed: the port stops listening
     * once the old daemon lets go of it too.
     */
    ListenPlan.Bound bindAll(BatonConfig config, Map<String, Integer> inherited) throws IOException {
        Map<String, Integer> left = new HashMap<>(inherited);
        ListenPlan.Bound bound;
        try {
            bound = new ListenPlan(planAll(config), Map.of(), Map.of()).bind(address -> {
                java.net.SocketAddress a = ProxyConfigs.address(address);
                Integer fd = left.remove(ProxyServer.describe(a));
                return fd == null ? server().bind(a) : server().adopt(a, fd);
            });
        } finally {
            left.values().forEach(Frontends::closeDescriptor);
        }
        if (!bound.refused().isEmpty()) {
            bound.closeAll();
            Map.Entry<String, String> first = bound.refused().entrySet().iterator().next();
            throw new IOException("program." + first.getKey() + ": " + first.getValue());
        }
        return bound;
    }

    private static void closeDescriptor(int fd) {
        try {
            new io.netty.channel.unix.FileDescriptor(fd).close();
        } catch (IOException e) {
            Log.warn("cannot close an inherited listening socket (fd " + fd + "): " + e.getMessage());
        }
    }

    private static Map<String, List<ListenAddress>> planAll(BatonConfig config) {
        Map<String, List<ListenAddress>> all = new LinkedHashMap<>();
        config.programs().forEach(p -> p.proxy().ifPresent(proxy -> all.put(p.name(), proxy.listen())));
        return all;
    }
}
