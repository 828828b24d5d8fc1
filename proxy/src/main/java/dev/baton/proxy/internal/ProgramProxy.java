package dev.baton.proxy.internal;

import dev.baton.proxy.BackendListener;
import dev.baton.proxy.BackendTraffic;
import dev.baton.proxy.BackendView;
import dev.baton.proxy.Listener;
import dev.baton.proxy.ProgramStats;
import dev.baton.proxy.ProgramView;
import dev.baton.proxy.ProxiedProgram;
import dev.baton.proxy.ProxyLog;
import dev.baton.proxy.ProxySettings;
import dev.baton.proxy.TrafficStats;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpRequest;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One program behind the proxy, for the program's whole life: its listeners, backends, balancer, worker
 * connections, health checks and client connections. A reload changes it in place: the supervisor's view arrives
 * through {@link #publish} (settings, backends, down state as one snapshot), its listeners through
 * {@link #listenOn}; the request path reads the backends through the balancer and the settings once per request.
 */
public final class ProgramProxy implements ProxiedProgram {

    /** The program-level settings, what is derived from them and the canary weight, swapped whole by a publish. */
    private record Current(ProxySettings settings, TrustedProxies trusted, int canaryWeight) {
    }

    private final String name;
    private final ProxyLog log;
    private final BackendListener listener;
    private final Balancer balancer;
    private final Upstream upstream;
    private final HealthChecker health;
    private final ClientConnections clients = new ClientConnections();
    private final ProgramTraffic traffic = new ProgramTraffic();
    private final Map<BackendView.Key, Backend> backends = new LinkedHashMap<>(); // guarded by this
    private final List<BoundListener> listeners = new ArrayList<>(); // guarded by this
    private volatile Current current;
    private volatile boolean closed;

    private ProgramProxy(ProxySettings settings, Transport transport, EventLoopGroup group, ProxyLog log,
                         BackendListener listener) {
        this.name = settings.name();
        this.log = log;
        this.listener = listener;
        this.current = new Current(settings, TrustedProxies.parse(settings.trustedProxies()), 0);
        this.balancer = new Balancer(() -> current.settings().limits().maxQueue());
        this.upstream = new Upstream(transport);
        this.health = new HealthChecker(transport, group.next(), balancer::backends, balancer::wake, log);
    }

    /** A program with no listener and no backend yet; its health checks run from now on. */
    public static ProgramProxy start(ProxySettings settings, Transport transport, EventLoopGroup group, ProxyLog log,
                                     BackendListener listener) {
        ProgramProxy program = new ProgramProxy(settings, transport, group, log, listener);
        program.health.start();
        return program;
    }

    /** A connection accepted by one of this program's listeners, on its event loop: the client pipeline. */
    void initClient(Channel ch) {
        if (closed) {
            ch.close();
            return;
        }
        ProxySettings s = settings();
        clients.add(ch);
        ch.pipeline().addLast("guard", new RequestGuard(s.limits().maxHeaderSize()));
        ch.pipeline().addLast("http", RequestChecks.serverCodec(s.limits().maxHeaderSize()));
        ch.pipeline().addLast("timeouts", new ClientTimeouts(s.timeouts()));
        ch.pipeline().addLast("proxy", new FrontendHandler(this, clients.closing()));
    }

    /** A client connection became a tunnel: it no longer counts as an HTTP connection to wait for. */
    void tunnelled(Channel ch) {
        clients.remove(ch);
    }

    @Override
    public synchronized void publish(ProgramView view) {
        TrustedProxies trusted = view.settings().trustedProxies().equals(current.settings().trustedProxies())
                ? current.trusted() : TrustedProxies.parse(view.settings().trustedProxies());
        current = new Current(view.settings(), trusted, view.canaryWeight());
        Map<BackendView.Key, Backend> next = new LinkedHashMap<>();
        for (BackendView v : view.backends()) {
            BackendView full = v.withDefault(view.settings());
            Backend b = backends.get(full.key());
            if (b == null || !b.address().equals(full.address())) {
                if (b != null) {
                    b.transitionTo(BackendState.REMOVED, "address changed");
                }
                b = new Backend(full, name, log, listener);
            }
            b.role(full.role());
            next.put(full.key(), b);
        }
        for (Map.Entry<BackendView.Key, Backend> e : backends.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                e.getValue().transitionTo(BackendState.REMOVED, "worker gone");
            }
        }
        backends.clear();
        backends.putAll(next);
        balancer.backends(new ArrayList<>(next.values()), view.down().orElse(null), view.canaryWeight());
        // after the balancer's lock: a request picked before the switch to DRAINING holds its slot by now
        next.values().forEach(Backend::maybeDrained);
    }

    @Override
    public void publish(List<BackendView> views) {
        publish(new ProgramView(settings(), views, Optional.empty(), current.canaryWeight()));
    }

    @Override
    public synchronized void listenOn(List<Listener> next) {
        List<BoundListener> wanted = next.stream().map(l -> (BoundListener) l).toList();
        if (closed || clients.closing()) {
            wanted.stream().filter(l -> !listeners.contains(l)).forEach(BoundListener::close);
            return;
        }
        for (BoundListener l : wanted) {
            l.attach(this);
        }
        for (BoundListener l : listeners) {
            if (!wanted.contains(l)) {
                l.release(this);
            }
        }
        listeners.clear();
        listeners.addAll(wanted);
    }

    @Override
    public CompletableFuture<Void> stopAccepting() {
        List<CompletableFuture<Void>> closed;
        synchronized (this) {
            closed = listeners.stream().map(l -> l.release(this)).toList();
            listeners.clear();
        }
        boolean first = !clients.closing();
        clients.closeWhenIdle();
        if (first) {
            log.info(name + ": stopped accepting; " + clients.count() + " client connections to finish, "
                    + balancer.inflight() + " requests in flight, " + balancer.queued() + " queued");
        }
        CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> clients.seal());
        return clients.gone();
    }

    @Override
    public ProgramStats stats() {
        List<String> listen;
        synchronized (this) {
            listen = listeners.stream().filter(l -> l.servedBy(this)).map(BoundListener::describe).toList();
        }
        return new ProgramStats(name, listen, balancer.queued(), balancer.stats());
    }

    @Override
    public TrafficStats traffic() {
        return traffic.stats();
    }

    @Override
    public List<BackendTraffic> backendTraffic() {
        List<Backend> now;
        synchronized (this) {
            now = List.copyOf(backends.values());
        }
        return now.stream().map(Backend::traffic).toList();
    }

    /** Stops listening and closes every client connection and idle worker connection at once. */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            listeners.forEach(l -> l.release(this));
            listeners.clear();
        }
        clients.seal();
        health.stop();
        clients.closeAll();
        publish(new ProgramView(settings(), List.of(), Optional.of(name + " is no longer served")));
    }

    /** The program-level settings now (a reload's switch replaces them); read once per request. */
    ProxySettings settings() {
        return current.settings();
    }

    TrustedProxies trustedProxies() {
        return current.trusted();
    }

    String name() {
        return name;
    }

    ProxyLog log() {
        return log;
    }

    Balancer balancer() {
        return balancer;
    }

    Upstream upstream() {
        return upstream;
    }

    /** Where requests are counted. */
    ProgramTraffic counters() {
        return traffic;
    }

    void accessLog(SocketAddress client, HttpRequest request, int status, long bytes, String worker,
                   long durationMillis) {
        if (!log.logsAccess(name)) {
            return;
        }
        String remote = client instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : Transport.describe(client);
        AccessRecord record = new AccessRecord(remote, System.currentTimeMillis(),
                request.method().name(), request.uri(), request.protocolVersion().text(), status, bytes,
                request.headers().get("Referer"), request.headers().get("User-Agent"), name, worker,
                durationMillis);
        log.access(name, settings().accessLogJson() ? AccessLogFormat.json(record)
                : AccessLogFormat.combined(record));
    }
}
