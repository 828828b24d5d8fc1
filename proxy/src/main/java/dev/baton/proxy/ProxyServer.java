package dev.baton.proxy;

import dev.baton.proxy.internal.BoundListener;
import dev.baton.proxy.internal.ProgramProxy;
import dev.baton.proxy.internal.Transport;
import io.netty.channel.EventLoopGroup;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The proxy: one set of event loops serving every program that has {@code listen} addresses. */
public final class ProxyServer implements Closeable {

    private final Transport transport = new Transport();
    private final EventLoopGroup group;
    private final ProxyLog log;

    private ProxyServer(int threads, ProxyLog log) {
        this.group = transport.group(threads, "baton-proxy");
        this.log = log;
    }

    /** Event loops: one per core. */
    public static ProxyServer start(ProxyLog log) {
        return new ProxyServer(Runtime.getRuntime().availableProcessors(), log);
    }

    /**
     * Binds a listening socket that accepts nothing until a program serves it ({@link ProxiedProgram#listenOn}).
     * Blocks until bound: never call it on an event loop.
     *
     * @throws IOException with a one-line reason: {@code cannot listen on 127.0.0.1:8000: address already in use}
     */
    public Listener bind(SocketAddress address) throws IOException {
        return BoundListener.bind(address, transport, group, log);
    }

    /**
     * Adopts a listening socket another process bound and handed over as file descriptor {@code fd}
     * ({@link Listener#fd}, sent over a unix socket with SCM_RIGHTS); it accepts nothing until a program serves it.
     * Epoll transport only. Blocks until registered: never call it on an event loop.
     *
     * @throws IOException with a one-line reason when {@code fd} is not a socket listening on {@code address}
     */
    public Listener adopt(SocketAddress address, int fd) throws IOException {
        return BoundListener.adopt(address, fd, group, log);
    }

    /** {@code 127.0.0.1:8000}, {@code [::]:80} or {@code unix:/run/web.sock}, as {@link Listener#describe} says. */
    public static String describe(SocketAddress address) {
        return Transport.describe(address);
    }

    /** A program with no listener and no backend yet: publish its backends, then give it listeners. */
    public ProxiedProgram program(ProxySettings settings, BackendListener listener) {
        return ProgramProxy.start(settings, transport, group, log, listener);
    }

    /** Serves a program on its {@code settings.listen()} addresses at once, telling nobody about its backends. */
    public ProxiedProgram serve(ProxySettings settings) throws IOException {
        return serve(settings, BackendListener.NONE);
    }

    /**
     * Serves a program on its {@code settings.listen()} addresses at once; {@code listener} hears when a backend is
     * ready and when a draining one has nothing left in flight.
     *
     * @throws IOException with a one-line reason when an address cannot be bound (in use, permission denied)
     */
    public ProxiedProgram serve(ProxySettings settings, BackendListener listener) throws IOException {
        List<Listener> bound = new ArrayList<>();
        try {
            for (SocketAddress address : settings.listen()) {
                bound.add(bind(address));
            }
        } catch (IOException e) {
            bound.forEach(Listener::close);
            throw e;
        }
        ProxiedProgram program = program(settings, listener);
        program.listenOn(bound);
        return program;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
