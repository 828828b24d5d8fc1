package dev.baton.proxy;

import java.net.SocketAddress;
import java.util.OptionalInt;

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

    /**
     * The listening socket's file descriptor, to hand to another process ({@code baton upgrade}, SCM_RIGHTS), which
     * adopts it with {@link ProxyServer#adopt}. Empty without the epoll transport.
     */
    OptionalInt fd();

    /**
     * Stops accepting here and closes this process's copy of the socket, which lives on in the process it was
     * handed to: the kernel's queue of connections is left to that process, not drained, and a unix socket's file
     * stays (this process's descriptor stays open, unused, until it exits). Any thread, never blocks; idempotent.
     */
    void handedOver();
}
