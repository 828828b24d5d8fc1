package dev.baton.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The worker side of a connection: hands what the worker sends to the exchange that leased the connection. While
 * the connection is idle in the pool it has a read pending ({@link Upstream#release}) only to notice the worker closing
 * it; anything the worker sends then is a protocol error and closes it.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    /** What an exchange hears from its worker connection. */
    interface Listener {
        void upstreamRead(Object msg);

        void upstreamInactive();

        void upstreamWritabilityChanged();

        /** The end of one read from the worker: what it brought has been handed over. */
        void upstreamReadComplete();
    }

    private final Backend backend;
    private Listener listener;
    private boolean idle;
    private boolean midResponse;
    private ChannelHandlerContext ctx;
    /** upstream_keepalive_timeout while idle in the pool: one pending task per period, not one per request. */
    private Deadline idleTimeout;
    private final Runnable idleExpired = this::idleExpired;

    BackendHandler(Backend backend) {
        this.backend = backend;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        idleTimeout = new Deadline(ctx.executor());
    }

    static BackendHandler of(Channel ch) {
        return ch.pipeline().get(BackendHandler.class);
    }

    /** An exchange took the connection from the pool (or opened it): the idle timeout stops. */
    void leased() {
        idle = false;
        midResponse = false;
        idleTimeout.disarm();
    }

    /**
     * The connection went back to the pool: it closes (and leaves the pool) after {@code nanos} unless leased again
     * before.
     */
    void idle(long nanos) {
        idle = true;
        listener = null;
        idleTimeout.arm(nanos, idleExpired);
    }

    private void idleExpired() {
        if (idle) {
            backend.dropIdle(ctx.channel());
            ctx.close();
        }
    }

    void listener(Listener l) {
        listener = l;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener == null) {
            ReferenceCountUtil.release(msg);
            backend.dropIdle(ctx.channel());
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse) {
            midResponse = true;
        }
        if (msg instanceof LastHttpContent) {
            midResponse = false;
        }
        listener.upstreamRead(msg);
    }

    /** A read ended in the middle of a response: acknowledge now, so a Nagle-bound worker sends the rest. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (midResponse && listener != null) {
            Transport.quickAck(ctx.channel());
        }
        if (listener != null) {
            listener.upstreamReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idleTimeout.close();
        backend.dropIdle(ctx.channel());
        if (listener != null) {
            Listener l = listener;
            listener = null;
            l.upstreamInactive();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.upstreamWritabilityChanged();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // the exchange hears of it through channelInactive
    }
}
