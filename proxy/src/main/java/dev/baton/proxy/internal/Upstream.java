package dev.baton.proxy.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * Connections from the proxy to workers. A connection is opened on the event loop of the client connection that
 * needs it and, once its exchange ends cleanly, kept for reuse on that loop. Baton closes an idle connection
 * after {@code upstream_keepalive_timeout}, shorter than the worker's own idle timeout, so Baton is always the
 * side that closes an idle connection (a request never races a worker closing it).
 */
public final class Upstream {

    private final Transport transport;
    private final int maxChunkSize;

    /** A connection for one exchange; {@code reused} says whether it served an exchange before. */
    public record Lease(Channel channel, boolean reused) {
    }

    /** Connect and idle timeouts are each backend's own ({@code connect_timeout}, {@code upstream_keepalive_timeout}). */
    public Upstream(Transport transport) {
        this.transport = transport;
        this.maxChunkSize = 64 * 1024;
    }

    /**
     * An idle connection to {@code backend} on {@code loop}, the spare one opened ahead of need
     * ({@link #openSpare}), or a new one. Loop thread only.
     */
    public Future<Lease> acquire(Backend backend, EventLoop loop) {
        Promise<Lease> promise = loop.newPromise();
        Channel idle = backend.pollIdle(loop);
        if (idle != null) {
            BackendHandler.of(idle).leased();
            return promise.setSuccess(new Lease(idle, true));
        }
        ChannelFuture spare = backend.takeSpare(loop);
        ChannelFuture connect = spare != null ? spare : connect(backend, loop);
        connect.addListener(f -> {
            if (f.isSuccess()) {
                BackendHandler.of(connect.channel()).leased();
                promise.setSuccess(new Lease(connect.channel(), false)); // a spare served nothing yet either
            } else {
                promise.setFailure(f.cause());
            }
        });
        return promise;
    }

    /**
     * Opens a connection to {@code backend} ahead of need, for the next request waiting for it: called when a
     * request was just sent to a worker that closes its connection after each response while others wait. The
     * worker finds it in its accept queue when done. {@link Backend#offerSpare} holds it from the start (once
     * connected and not yet taken, it idles and times out like a pooled one), or it is closed. Loop thread only.
     */
    public void openSpare(Backend backend, EventLoop loop) {
        ChannelFuture connect = connect(backend, loop);
        if (!backend.offerSpare(connect)) {
            connect.channel().close();
            return;
        }
        connect.addListener(f -> {
            Channel ch = connect.channel();
            if (!f.isSuccess()) {
                backend.dropIdle(ch); // a request that takes it meanwhile hears why from its own listener
            } else if (backend.isSpare(connect)) { // not taken by a request yet
                BackendHandler.of(ch).idle(backend.settings().timeouts().upstreamKeepalive().toNanos());
                ch.read(); // notice the worker closing it
            }
        });
    }

    private ChannelFuture connect(Backend backend, EventLoop loop) {
        return new Bootstrap()
                .group(loop)
                .channelFactory(transport.clientChannelFactory(backend.address()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) backend.settings().timeouts().connect().toMillis())
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("http", new HttpClientCodec(8192, 64 * 1024, maxChunkSize, true));
                        ch.pipeline().addLast("relay", new BackendHandler(backend));
                    }
                })
                .connect(backend.address());
    }

    /**
     * Ends a lease: a connection whose exchange ended cleanly goes back to the pool, any other is closed.
     * Loop thread only.
     */
    public void release(Backend backend, Channel ch, boolean reusable) {
        BackendHandler handler = BackendHandler.of(ch);
        if (handler == null || !reusable || !backend.offerIdle(ch)) {
            ch.close();
            return;
        }
        handler.idle(backend.settings().timeouts().upstreamKeepalive().toNanos());
        // notice the worker closing it (or sending what nobody asked for) while idle: one read, not auto-read, which
        // the next lease would turn off again, re-registering the socket with epoll twice per request; as this runs
        // within the read of the response's end, the socket even stays registered for reading throughout
        ch.read();
    }
}
