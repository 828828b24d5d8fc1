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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A WebSocket (any {@code Upgrade}) connection after the worker's 101 answer: both HTTP codecs leave the
 * pipelines and bytes flow both ways unchanged, with backpressure, for the connection's life, to the one worker.
 *
 * <p>The tunnel counts on its backend from the 101 until the client connection closes, so a draining backend is
 * not drained while a tunnel is open. The worker connection was opened on the client connection's event loop:
 * both ends of a tunnel run on one thread.
 */
final class Tunnel {

    private final Backend backend;
    private final Channel client;
    private final Channel worker;

    private Tunnel(Backend backend, Channel client, Channel worker) {
        this.backend = backend;
        this.client = client;
        this.worker = worker;
    }

    static void splice(Exchange exchange, Backend backend, ChannelHandlerContext client, Channel upstream,
                       HttpResponse switching) {
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, switching.status(),
                switching.headers().copy());
        Channel front = client.channel();
        Tunnel tunnel = new Tunnel(backend, front, upstream);
        backend.tunnelOpened(tunnel); // before the exchange gives its slot back: never "drained" in between
        front.closeFuture().addListener(f -> tunnel.closed());
        exchange.upgraded();
        front.writeAndFlush(out).addListener(f -> {
            if (!f.isSuccess()) {
                tunnel.close();
                return;
            }
            tunnel.start();
        });
    }

    /** The 101 went out: relay both ways. */
    private void start() {
        rebuild(client.pipeline(), new Relay(worker));
        rebuild(worker.pipeline(), new Relay(client));
        if (!worker.isActive()) {
            close(); // the worker went away while the 101 was being written
            return;
        }
        client.read();
        worker.read();
    }

    private void close() {
        client.close();
        worker.close();
    }

    private void closed() {
        worker.close();
        backend.tunnelClosed(this);
    }

    /**
     * Adds the relay at the end, then removes every other handler from the last to the first: the HTTP codec
     * goes last, so bytes it still buffers (sent right after the 101) flow into the tunnel.
     */
    private static void rebuild(ChannelPipeline pipeline, Relay relay) {
        pipeline.addLast("tunnel", relay);
        List<String> names = new ArrayList<>(pipeline.names());
        Collections.reverse(names);
        for (String name : names) {
            if (!name.equals("tunnel") && pipeline.context(name) != null) {
                pipeline.remove(name);
            }
        }
    }

    /** One direction: what its channel reads goes to the peer, and it reads again once the write went out. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
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
}
