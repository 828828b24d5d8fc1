package dev.baton.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The worker side of a connection: hands what the worker sends to the exchange that leased the connection. While
 * the connection is idle in the pool it reads (auto-read on) only to notice the worker closing it; anything the
 * worker sends then is a protocol error and closes it.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    /** What an exchange hears from its worker connection. */
    interface Listener {
        void upstreamRead(Object msg);

        void upstreamInactive();

        void upstreamWritabilityChanged();
    }

    private final Backend backend;
    private Listener listener;
    private long idleEpoch;
    private boolean idle;
    private boolean midResponse;

    BackendHandler(Backend backend) {
        this.backend = backend;
    }

    static BackendHandler of(Channel ch) {
        return ch.pipeline().get(BackendHandler.class);
    }

    void leased() {
        idle = false;
        midResponse = false;
        idleEpoch++;
    }

    /** Marks the connection idle; answers a token for {@link #idleSince}. */
    long idle() {
        idle = true;
        listener = null;
        return ++idleEpoch;
    }

    boolean idleSince(long epoch) {
        return idle && idleEpoch == epoch;
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
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
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
