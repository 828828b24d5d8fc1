package dev.baton.proxy;

import java.net.SocketAddress;

/**
 * One worker as the supervisor publishes it to the proxy. A backend's role may change between publishes
 * ({@code HELD -> SERVING} at a reload's switch, {@code SERVING -> DRAINING -> STOPPING}); the same
 * {@link #key()} keeps the same backend in the proxy: its in-flight count, idle connections and health state.
 *
 * @param id         the worker's name, e.g. {@code web:2}
 * @param generation the worker's generation; a new generation of the same id is a different backend
 * @param address    where it listens: {@link java.net.InetSocketAddress} or a
 *                   {@link io.netty.channel.unix.DomainSocketAddress}
 * @param role       what the proxy does with it: hold it, route to it, drain it, or close its tunnels
 * @param settings   the settings of the worker's generation: its health check and warm-up, {@code max_inflight},
 *                   connect and response timeouts, pooled connections' idle timeout. Null: the program's settings
 *                   at the time of the publish
 */
public record BackendView(String id, int generation, SocketAddress address, Role role, ProxySettings settings) {

    /** A backend that runs with the program's settings. */
    public BackendView(String id, int generation, SocketAddress address, Role role) {
        this(id, generation, address, role, null);
    }

    /** What the supervisor wants of a backend. */
    public enum Role {
        /** Health-checked, but held out of routing: a reload's new worker before the switch. */
        HELD,
        /** Gets requests once its health check passes (the normal case). */
        SERVING,
        /** Gets no new requests; in-flight requests finish; open WebSocket tunnels stay open. */
        DRAINING,
        /** The worker is about to be signalled: its open WebSocket tunnels are closed now with close code 1001. */
        STOPPING
    }

    /** The identity of a backend: the same worker slot in another generation is another backend. */
    public String key() {
        return id + "@" + generation;
    }

    /** This view with {@code settings} when it has none of its own. */
    public BackendView withDefault(ProxySettings program) {
        return settings != null ? this : new BackendView(id, generation, address, role, program);
    }
}
