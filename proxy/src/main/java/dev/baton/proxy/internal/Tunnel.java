package dev.baton.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * A WebSocket (any {@code Upgrade}) connection after the worker's 101 answer: both HTTP codecs leave the
 * pipelines and bytes flow both ways unchanged, with backpressure, for the connection's life, to the one worker.
 */
final class Tunnel extends ChannelInboundHandlerAdapter {

    private final Channel peer;

    private Tunnel(Channel peer) {
        this.peer = peer;
    }

    static void splice(Exchange exchange, ChannelHandlerContext client, Channel upstream, HttpResponse switching) {
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, switching.status(),
                switching.headers().copy());
        exchange.upgraded();
        Channel front = client.channel();
        front.writeAndFlush(out).addListener(f -> {
            if (!f.isSuccess()) {
                upstream.close();
                return;
            }
            rebuild(front.pipeline(), upstream);
            rebuild(upstream.pipeline(), front);
            front.read();
            upstream.read();
        });
    }

    /**
     * Adds the tunnel at the end, then removes every other handler from the last to the first: the HTTP codec
     * goes last, so bytes it still buffers (sent right after the 101) flow into the tunnel.
     */
    private static void rebuild(ChannelPipeline pipeline, Channel peer) {
        pipeline.addLast("tunnel", new Tunnel(peer));
        java.util.List<String> names = new java.util.ArrayList<>(pipeline.names());
        java.util.Collections.reverse(names);
        for (String name : names) {
            if (!name.equals("tunnel") && pipeline.context(name) != null) {
                pipeline.remove(name);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            ctx.read();
            return;
        }
        peer.writeAndFlush(msg).addListener(f -> {
            if (f.isSuccess()) {
                ctx.channel().read();
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        peer.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
