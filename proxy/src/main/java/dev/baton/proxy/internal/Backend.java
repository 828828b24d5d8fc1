package dev.baton.proxy.internal;

import dev.baton.proxy.BackendListener;
import dev.baton.proxy.BackendStats;
import dev.baton.proxy.BackendTraffic;
import dev.baton.proxy.BackendView;
import dev.baton.proxy.ProxyLog;
import dev.baton.proxy.ProxySettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;

import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One worker behind the proxy: its routing state, the role the supervisor gave it, its in-flight count, its idle
 * keep-alive connections and the counts of the tries it got ({@link TryCounters}).
 *
 * <p>State changes go through {@link #transitionTo}, which logs them. The balancer reads the state and changes the
 * in-flight count under its own lock; health checks, connection failures and published roles change the state;
 * idle connections are kept per event loop and touched only on that loop.
 *
 * <p>Roles map onto states: a {@code HELD} backend that passes its checks is {@code READY} (checked, not routed);
 * published {@code SERVING} or {@code CANARY}, a {@code READY} backend is {@code HEALTHY} at once (the balancer
 * gives a {@code CANARY} one only its share of requests); {@code DRAINING} and {@code STOPPING} are both
 * {@code DRAINING}, which is final (until {@code REMOVED}).
 *
 * <p>Passive checks: real requests count too. {@code health_fall} requests in a row that the worker failed (closed
 * or reset its connection in the middle of a response, or left it unanswered for {@code response_timeout}) eject
 * it like failed health checks would; any answered request resets the count. Health checks re-admit it after
 * {@code health_rise} passes.
 *
 * <p>The {@link BackendListener} hears, once each, outside any lock and in order ({@link Announcements}), that the
 * backend passed its first check, that it was ejected ({@code HEALTHY -> UNHEALTHY}) or re-admitted
 * ({@code UNHEALTHY -> HEALTHY}), and that, draining, it has nothing left in flight: no request, no open WebSocket
 * tunnel.
 */
public final class Backend {

    private final BackendView view;
    private final BackendView.Key key;
    /** How log lines name it: {@code web: backend web:0 [gen 2]}, {@code [gen 2.1]} for incarnation 1. */
    private final String label;
    private final ProxySettings settings;
    private final ProxyLog log;
    private final BackendListener listener;
    private final Announcements news;
    private final TryCounters counters = new TryCounters();
    private final AtomicBoolean drainedAnnounced = new AtomicBoolean();
    private final Set<Tunnel> tunnels = ConcurrentHashMap.newKeySet();
    private final Set<Waiting> waiting = ConcurrentHashMap.newKeySet();
    private final Map<EventLoop, ArrayDeque<Channel>> idle = new ConcurrentHashMap<>();
    /** A connection opened ahead of need to a worker that closes after each response ({@link #spare}). */
    private final AtomicReference<ChannelFuture> spare = new AtomicReference<>();
    private volatile boolean closesConnections;
    private volatile BackendState state = BackendState.PENDING;
    private volatile BackendView.Role role;
    private volatile int inflight;
    private int passes;
    private int failures;
    private int failedRequests;
    private boolean readyAnnounced;

    /** {@code view} must carry its settings (see {@link BackendView#withDefault}). */
    Backend(BackendView view, String program, ProxyLog log, BackendListener listener) {
        this.view = view;
        this.key = view.key();
        this.label = program + ": backend " + view.id() + " [gen " + view.generation()
                + (view.incarnation() == 0 ? "" : "." + view.incarnation()) + "]";
        this.settings = java.util.Objects.requireNonNull(view.settings(), "the backend's settings");
        this.log = log;
        this.listener = listener;
        this.news = new Announcements(label, log);
        this.role = view.role();
    }

    /** Its identity: the same key in the next publish is this same backend. */
    public BackendView.Key key() {
        return key;
    }

    /** How log lines name it: {@code web: backend web:0 [gen 2]} ({@code [gen 2.1]} for incarnation 1). */
    String label() {
        return label;
    }

    public String id() {
        return view.id();
    }

    public int generation() {
        return view.generation();
    }

    public SocketAddress address() {
        return view.address();
    }

    public BackendState state() {
        return state;
    }

    /** The role of the last publish; any thread. */
    public BackendView.Role role() {
        return role;
    }

    /** The settings of the backend's generation: health checks, max_inflight, connect and response timeouts. */
    ProxySettings settings() {
        return settings;
    }

    /** True when it may take one more request: under its {@code max_inflight} (0 = no limit). Balancer's lock. */
    boolean hasRoom() {
        int max = settings.limits().maxInflight();
        return max == 0 || inflight < max;
    }

    /**
     * Applies the role of a new publish: {@code HELD} takes a serving backend out of routing, {@code SERVING} and
     * {@code CANARY} route a {@code READY} one at once, {@code DRAINING} and {@code STOPPING} drain, and
     * {@code STOPPING} also closes the open WebSocket tunnels.
     */
    synchronized void role(BackendView.Role next) {
        BackendView.Role previous = role;
        role = next;
        switch (next) {
            case HELD -> {
                if (state == BackendState.HEALTHY) {
                    transitionTo(BackendState.READY, "held out of routing");
                }
            }
            case SERVING, CANARY -> {
                if (state == BackendState.READY) {
                    transitionTo(BackendState.HEALTHY, next == BackendView.Role.CANARY ? "canary" : "serving");
                }
            }
            case DRAINING -> transitionTo(BackendState.DRAINING, "worker draining");
            case STOPPING -> {
                transitionTo(BackendState.DRAINING, "worker stopping");
                if (previous != BackendView.Role.STOPPING && !tunnels.isEmpty()) {
                    log.info(label + ": closing " + tunnels.size()
                            + " WebSocket tunnel(s) with 1001 going away");
                    tunnels.forEach(Tunnel::goAway);
                }
            }
        }
    }

    /** Changed under the balancer's lock only; volatile so that {@link #maybeDrained} may read it. */
    int inflight() {
        return inflight;
    }

    void inflight(int delta) {
        inflight += delta;
    }

    /**
     * A WebSocket tunnel to this worker opened; registered before its exchange releases its slot. One that opens
     * while the worker is stopping is closed at once.
     */
    void tunnelOpened(Tunnel tunnel) {
        tunnels.add(tunnel);
        if (role == BackendView.Role.STOPPING) {
            tunnel.goAway(); // role() set STOPPING before walking the tunnels: one of the two sees the other
        }
    }

    /** A tunnel's client connection closed; the last one of a draining backend may leave it drained. */
    void tunnelClosed(Tunnel tunnel) {
        if (tunnels.remove(tunnel)) {
            maybeDrained();
        }
    }

    /**
     * Tells the listener, once, that the backend is drained: DRAINING with no request in flight and no open
     * tunnel. Call it after whatever may have changed that (a publish, a released slot, a closed tunnel); any
     * thread, no lock held. The in-flight count is read first: a tunnel is registered before its slot is freed.
     */
    void maybeDrained() {
        if (state == BackendState.DRAINING && inflight == 0 && tunnels.isEmpty()
                && drainedAnnounced.compareAndSet(false, true)) {
            news.add("drained", () -> listener.drained(key));
            news.deliver();
        }
    }

    /** Where its tries are counted, any thread. */
    TryCounters counters() {
        return counters;
    }

    /** The tries it got since the proxy first saw its key. */
    BackendTraffic traffic() {
        return counters.snapshot(key);
    }

    BackendStats stats(int inflightNow) {
        return new BackendStats(view.id(), view.generation(), view.incarnation(), state.name(), inflightNow,
                tunnels.size());
    }

    /**
     * Changes the routing state and logs it; answers false when it was already in that state. An ejection
     * ({@code HEALTHY -> UNHEALTHY}) or re-admission ({@code UNHEALTHY -> HEALTHY}) is queued for the listener:
     * the caller delivers it ({@link Announcements#deliver}) once it holds no lock.
     */
    synchronized boolean transitionTo(BackendState next, String why) {
        BackendState previous = state;
        if (previous == next || previous == BackendState.REMOVED) {
            return false;
        }
        state = next;
        if (previous == BackendState.HEALTHY && next == BackendState.UNHEALTHY
                || previous == BackendState.UNHEALTHY && next == BackendState.HEALTHY) {
            boolean routable = next == BackendState.HEALTHY;
            news.add("health", () -> listener.health(key, routable));
        }
        String line = label + " " + previous + " -> " + next + (why.isEmpty() ? "" : ": " + why);
        if (next == BackendState.UNHEALTHY) {
            log.warn(line);
        } else {
            log.info(line);
        }
        if (next == BackendState.DRAINING || next == BackendState.REMOVED) {
            closeIdle();
        }
        return true;
    }

    /**
     * A health check passed: a pending backend is ready (held) or healthy (serving, canary), an unhealthy one after
     * {@code health_rise} passes in a row. The first pass is announced to the listener, and so is a re-admission.
     * Answers true when that made the backend routable.
     */
    boolean checkPassed() {
        int rise = settings.health().rise();
        boolean routable = false;
        boolean first = false;
        synchronized (this) {
            failures = 0;
            passes++;
            if (state == BackendState.PENDING || (state == BackendState.UNHEALTHY && passes >= rise)) {
                failedRequests = 0;
                BackendState next = role == BackendView.Role.HELD ? BackendState.READY : BackendState.HEALTHY;
                String why = state == BackendState.PENDING ? "first health check passed"
                        : passes + " health checks passed";
                routable = transitionTo(next, next == BackendState.READY ? why + "; held until the switch" : why)
                        && next.routable();
                first = !readyAnnounced && (state == BackendState.READY || state == BackendState.HEALTHY);
                readyAnnounced |= first;
                if (first) {
                    news.add("ready", () -> listener.ready(key));
                }
            }
        }
        news.deliver();
        return routable;
    }

    /**
     * A health check failed; {@code health_fall} in a row eject the backend. When the last of them got no answer at all
     * ({@code silent}: the worker stopped answering), the requests waiting on it are told, outside the lock.
     */
    void checkFailed(String why, boolean silent) {
        int fall = settings.health().fall();
        boolean ejected;
        synchronized (this) {
            passes = 0;
            failures++;
            ejected = (state == BackendState.HEALTHY || state == BackendState.READY) && failures >= fall
                    && transitionTo(BackendState.UNHEALTHY, failures + " health checks failed: " + why);
        }
        news.deliver();
        if (ejected && silent) {
            waiting.forEach(Waiting::workerStoppedAnswering);
        }
    }

    /** A request waiting for this worker's answer, told when the worker is ejected for not answering at all. */
    interface Waiting {
        /** Any thread: hand the news to the request's own event loop. */
        void workerStoppedAnswering();
    }

    /** {@code w} sent its request to this worker and waits for the answer. */
    void waiting(Waiting w) {
        waiting.add(w);
    }

    /** {@code w} no longer waits on this worker. */
    void notWaiting(Waiting w) {
        waiting.remove(w);
    }

    /** A request could not reach the worker (refused, reset): no more traffic until checks pass again. */
    void eject(String why) {
        synchronized (this) {
            passes = 0;
            if (state == BackendState.HEALTHY) {
                transitionTo(BackendState.UNHEALTHY, why);
            }
        }
        news.deliver();
    }

    /** A real request failed on this worker; {@code health_fall} in a row eject it. Any thread. */
    void requestFailed(String why) {
        synchronized (this) {
            failedRequests++;
            int fall = settings.health().fall();
            if (failedRequests >= fall && state == BackendState.HEALTHY) {
                passes = 0;
                transitionTo(BackendState.UNHEALTHY, failedRequests
                        + (failedRequests == 1 ? " request" : " requests") + " in a row failed: " + why);
            }
        }
        news.deliver();
    }

    /** A real request was answered whole: the count of failed requests in a row starts again. Any thread. */
    synchronized void requestSucceeded() {
        failedRequests = 0;
    }

    /** An idle keep-alive connection on {@code loop}, or null; loop thread only. */
    Channel pollIdle(EventLoop loop) {
        ArrayDeque<Channel> deque = idle.get(loop);
        while (deque != null && !deque.isEmpty()) {
            Channel ch = deque.pollLast();
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    /** Keeps a finished connection for reuse; loop thread only. False when it must be closed instead. */
    boolean offerIdle(Channel ch) {
        if (!state.checked() || !ch.isActive()) {
            return false;
        }
        idle.computeIfAbsent(ch.eventLoop(), l -> new ArrayDeque<>()).addLast(ch);
        return true;
    }

    /** Forgets an idle connection that closed or timed out; loop thread only. */
    void dropIdle(Channel ch) {
        ChannelFuture f = spare.get();
        if (f != null && f.channel() == ch) {
            spare.compareAndSet(f, null);
        }
        ArrayDeque<Channel> deque = idle.get(ch.eventLoop());
        if (deque != null) {
            deque.remove(ch);
        }
    }

    /**
     * What the worker's last whole answer said: it closes its connection after each response (a sync worker, an
     * HTTP/1.0 server), or keeps it open. Any thread.
     */
    void answered(boolean keptAlive) {
        if (closesConnections == keptAlive) { // changed: written only then, not once per request
            closesConnections = !keptAlive;
        }
    }

    /** True when the worker's last answer closed its connection: a new one per request, worth opening ahead. */
    boolean closesConnections() {
        return closesConnections;
    }

    /**
     * Keeps {@code connecting}, a connection being opened ahead of need while the worker is busy, for its next
     * request: the worker finds it in its accept queue when it is done, and the request follows as soon as the
     * previous answer's last byte is read (a sync worker no longer sits idle while Baton connects). Kept from the
     * start of the connect, so that a request on another event loop closes it rather than queue behind it. One
     * at a time; false when there is one already or the backend no longer routes, and it must then be closed.
     */
    boolean offerSpare(ChannelFuture connecting) {
        if (!state.routable() || !spare.compareAndSet(null, connecting)) {
            return false;
        }
        if (!state.routable()) { // drained or ejected meanwhile: closeSpare may have run before the set
            closeSpare();
        }
        return true;
    }

    /** True while {@code connecting} is the spare connection, not yet taken or closed. */
    boolean isSpare(ChannelFuture connecting) {
        return spare.get() == connecting;
    }

    /**
     * The spare connection (connected or still connecting) if it lives on {@code loop}, for the request about to
     * be sent to the worker. One on another loop is closed instead: the worker may have accepted it already and
     * would wait on it, with the new connection behind it in its queue. Any thread; the answer is for
     * {@code loop}'s thread only.
     */
    ChannelFuture takeSpare(EventLoop loop) {
        ChannelFuture f = spare.getAndSet(null);
        if (f == null) {
            return null;
        }
        Channel ch = f.channel();
        if (ch.eventLoop() == loop && ch.isOpen() && !(f.isDone() && !f.isSuccess())) {
            return f;
        }
        ch.close();
        return null;
    }

    /** The event loop of the spare connection, or null: a waiting request there gets the worker first. */
    EventLoop spareLoop() {
        ChannelFuture f = spare.get();
        return f == null ? null : f.channel().eventLoop();
    }

    /**
     * Closes the spare connection: no request is about to use it, and a sync worker that accepted it would wait on
     * it (and not accept another) until it closes. Any thread.
     */
    void closeSpare() {
        ChannelFuture f = spare.getAndSet(null);
        if (f != null) {
            f.channel().close();
        }
    }

    /** Closes every pooled idle connection (on their own loops): after one was found reset, the rest may be too. */
    void closeIdle() {
        closeSpare();
        for (Map.Entry<EventLoop, ArrayDeque<Channel>> e : idle.entrySet()) {
            e.getKey().execute(() -> {
                ArrayDeque<Channel> deque = e.getValue();
                while (!deque.isEmpty()) {
                    deque.poll().close();
                }
            });
        }
    }

    @Override
    public String toString() {
        return key.toString();
    }
}
