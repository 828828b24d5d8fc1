package dev.baton.proxy;

import java.net.SocketAddress;

/**
 * A listening socket the proxy has bound ({@link ProxyServer#bind}). It accepts nothing until a program serves it
 * ({@link ProxiedProgram#listenOn}): until then the kernel queues connections in its backlog. A listener may pass
 * from one program to another; it closes when its program lets go of it, or when closed here.
 */
public interface Listener {

    /** The address it is bound to: {@link java.net.InetSocketAddress} or a unix socket address. */
    SocketAddress address();

    /** {@code 127.0.0.1:8000} or {@code unix:/run/web.sock}. */
    String describe();

    /** Stops listening (a unix socket's file is removed). Any thread, never blocks; idempotent. */
    void close();
}
