package dev.baton.proxy;

import java.net.SocketAddress;

/**
 * One worker as the supervisor publishes it to the proxy.
 *
 * @param id         the worker's name, e.g. {@code web:2}
 * @param generation the worker's generation; a new generation of the same id is a different backend
 * @param address    where it listens: {@link java.net.InetSocketAddress} or a
 *                   {@link io.netty.channel.unix.DomainSocketAddress}
 * @param accepting  false once the worker is stopping: it gets no new requests, its in-flight ones finish
 */
public record BackendView(String id, int generation, SocketAddress address, boolean accepting) {

    /** The identity of a backend: the same worker slot in another generation is another backend. */
    public String key() {
        return id + "@" + generation;
    }
}
