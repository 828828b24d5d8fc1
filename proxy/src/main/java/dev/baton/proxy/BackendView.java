package dev.baton.proxy;

import java.net.SocketAddress;

/**
 * One worker as the supervisor publishes it to the proxy. A backend's role may change between publishes
 * ({@code HELD -> SERVING} at a reload's switch, {@code SERVING -> DRAINING -> STOPPING}); the same
 * {@link #key()} keeps the same backend in the proxy: its in-flight count, idle connections, health state and
 * traffic counters.
 *
 * @param id          the worker's name, e.g. {@code web:2}
 * @param generation  the worker's generation; a new generation of the same id is a different backend
 * @param incarnation 0 for a generation's first worker in its slot; 1, 2... for the workers that replace it within
 *                    the same generation (recycled after {@code max_requests}, or replacing one ejected too long),
 *                    each a different backend, which may run beside the one it replaces for a while
 * @param address     where it listens: {@link java.net.InetSocketAddress} or a
 *                    {@link io.netty.channel.unix.DomainSocketAddress}
 * @param role        what the proxy does with it: hold it, route to it (all of the program's requests, or a canary's
 *                    share), drain it, or close its tunnels
 * @param settings    the settings of the worker's generation: its health check and warm-up, {@code max_inflight},
 *                    connect and response timeouts, pooled connections' idle timeout. Null: the program's settings
 *                    at the time of the publish
 */
public record BackendView(String id, int generation, int incarnation, SocketAddress address, Role role,
                          ProxySettings settings) {

    public BackendView {
        if (incarnation < 0) {
            throw new IllegalArgumentException(id + ": incarnation must be 0 or more: " + incarnation);
        }
    }

    /** The first worker of its slot in its generation (incarnation 0), with the program's settings. */
    public BackendView(String id, int generation, SocketAddress address, Role role) {
        this(id, generation, 0, address, role, null);
    }

    /** The first worker of its slot in its generation (incarnation 0). */
    public BackendView(String id, int generation, SocketAddress address, Role role, ProxySettings settings) {
        this(id, generation, 0, address, role, settings);
    }

    /** What the supervisor wants of a backend. */
    public enum Role {
        /** Health-checked, but held out of routing: a reload's new worker before the switch. */
        HELD,
        /** Gets requests once its health check passes (the normal case). */
        SERVING,
        /**
         * Routed like {@code SERVING} once checked, but gets only the program's
         * {@link ProgramView#canaryWeight() canaryWeight} percent of its requests (a canary reload's new worker);
         * the other backends get the rest.
         */
        CANARY,
        /** Gets no new requests; in-flight requests finish; open WebSocket tunnels stay open. */
        DRAINING,
        /** The worker is about to be signalled: its open WebSocket tunnels are closed now with close code 1001. */
        STOPPING
    }

    /**
     * The identity of a backend: the same worker slot in another generation, or another incarnation of it in the
     * same generation, is another backend.
     */
    public record Key(String id, int generation, int incarnation) {

        /** {@code web:2@3} for incarnation 0, {@code web:2@3.1} for incarnation 1. */
        @Override
        public String toString() {
            return id + "@" + generation + (incarnation == 0 ? "" : "." + incarnation);
        }
    }

    /** This backend's identity. */
    public Key key() {
        return new Key(id, generation, incarnation);
    }

    /** This view with {@code settings} when it has none of its own. */
    public BackendView withDefault(ProxySettings program) {
        return settings != null ? this : new BackendView(id, generation, incarnation, address, role, program);
    }
}
