package dev.baton.proxy;

import dev.baton.proxy.internal.ProgramProxy;
import dev.baton.proxy.internal.Transport;
import io.netty.channel.EventLoopGroup;

import java.io.Closeable;
import java.io.IOException;
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
     * Starts serving a program on its listen addresses, telling nobody about its backends.
     *
     * @throws IOException with a one-line reason when an address cannot be bound (in use, permission denied)
     */
    public ProxiedProgram serve(ProxySettings settings) throws IOException {
        return serve(settings, BackendListener.NONE);
    }

    /**
     * Starts serving a program on its listen addresses; {@code listener} hears when a backend is ready and when a
     * draining one has nothing left in flight.
     *
     * @throws IOException with a one-line reason when an address cannot be bound (in use, permission denied)
     */
    public ProxiedProgram serve(ProxySettings settings, BackendListener listener) throws IOException {
        return ProgramProxy.bind(settings, transport, group, log, listener);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
