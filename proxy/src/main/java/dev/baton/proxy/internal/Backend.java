package dev.baton.proxy.internal;

import dev.baton.proxy.BackendStats;
import dev.baton.proxy.BackendView;
import dev.baton.proxy.ProxyLog;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;

import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One worker behind the proxy: its routing state, the role the supervisor gave it, its in-flight count and its
 * idle keep-alive connections.
 *
 * <p>State changes go through {@link #transitionTo}, which logs them. The balancer reads the state and changes the
 * in-flight count under its own lock; health checks, connection failures and published roles change the state;
 * idle connections are kept per event loop and touched only on that loop.
 *
 * <p>Roles map onto states: a {@code HELD} backend that passes its checks is {@code READY} (checked, not routed);
 * published {@code SERVING}, a {@code READY} backend is {@code HEALTHY} at once; {@code DRAINING} and
 * {@code STOPPING} are both {@code DRAINING}, which is final (until {@code REMOVED}).
 */
public final class Backend {

    private final BackendView view;
    private final String program;
    private final ProxyLog log;
    private final Map<EventLoop, ArrayDeque<Channel>> idle = new ConcurrentHashMap<>();
    private volatile BackendState state = BackendState.PENDING;
    private volatile BackendView.Role role;
    private int inflight;
    private int passes;
    private int failures;

    Backend(BackendView view, String program, ProxyLog log) {
        this.view = view;
        this.program = program;
        this.log = log;
        this.role = view.role();
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

    BackendView.Role role() {
        return role;
    }

    /**
     * Applies the role of a new publish: {@code HELD} takes a serving backend out of routing, {@code SERVING}
     * routes a {@code READY} one at once, {@code DRAINING} and {@code STOPPING} drain.
     */
    synchronized void role(BackendView.Role next) {
        role = next;
        switch (next) {
            case HELD -> {
                if (state == BackendState.HEALTHY) {
                    transitionTo(BackendState.READY, "held out of routing");
                }
            }
            case SERVING -> {
                if (state == BackendState.READY) {
                    transitionTo(BackendState.HEALTHY, "serving");
                }
            }
            case DRAINING -> transitionTo(BackendState.DRAINING, "worker draining");
            case STOPPING -> transitionTo(BackendState.DRAINING, "worker stopping");
        }
    }

    /** Guarded by the balancer's lock. */
    int inflight() {
        return inflight;
    }

    void inflight(int delta) {
        inflight += delta;
    }

    BackendStats stats(int inflightNow) {
        return new BackendStats(view.id(), view.generation(), state.name(), inflightNow);
    }

    /** Changes the routing state and logs it; answers false when it was already in that state. */
    synchronized boolean transitionTo(BackendState next, String why) {
        BackendState previous = state;
        if (previous == next || previous == BackendState.REMOVED) {
            return false;
        }
        state = next;
        String line = program + ": backend " + view.id() + " [gen " + view.generation() + "] " + previous + " -> "
                + next + (why.isEmpty() ? "" : ": " + why);
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
     * A health check passed: a pending backend is ready (held) or healthy (serving), an unhealthy one after
     * {@code rise} passes in a row. Answers true when that made the backend routable.
     */
    synchronized boolean checkPassed(int rise) {
        failures = 0;
        passes++;
        if (state == BackendState.PENDING || (state == BackendState.UNHEALTHY && passes >= rise)) {
            BackendState next = role == BackendView.Role.HELD ? BackendState.READY : BackendState.HEALTHY;
            String why = state == BackendState.PENDING ? "first health check passed" : passes + " health checks passed";
            return transitionTo(next, next == BackendState.READY ? why + "; held until the switch" : why)
                    && next.routable();
        }
        return false;
    }

    synchronized void checkFailed(int fall, String why) {
        passes = 0;
        failures++;
        if ((state == BackendState.HEALTHY || state == BackendState.READY) && failures >= fall) {
            transitionTo(BackendState.UNHEALTHY, failures + " health checks failed: " + why);
        }
    }

    /** A request could not reach the worker (refused, reset): no more traffic until checks pass again. */
    synchronized void eject(String why) {
        passes = 0;
        if (state == BackendState.HEALTHY) {
            transitionTo(BackendState.UNHEALTHY, why);
        }
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
        ArrayDeque<Channel> deque = idle.get(ch.eventLoop());
        if (deque != null) {
            deque.remove(ch);
        }
    }

    private void closeIdle() {
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
        return view.id() + "@" + view.generation();
    }
}
