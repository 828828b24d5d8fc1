package dev.baton.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket (any {@code Upgrade}) connection after the worker's 101 answer: both HTTP codecs leave the
 * pipelines and bytes flow both ways unchanged, with backpressure, for the connection's life, to the one worker.
 *
 * <p>The tunnel counts on its backend from the 101 until the client connection closes, so a draining backend is
 * not drained while a tunnel is open. When the worker is about to stop, {@link #goAway} ends a WebSocket tunnel
 * the way a server going away would: at the next boundary between the worker's frames it stops relaying the
 * worker's bytes, sends the client a close frame with status 1001 and closes both connections. A frame that does
 * not end within a second is not waited for: both connections just close. Other upgrades just close.
 *
 * <p>The worker connection was opened on the client connection's event loop: both ends of a tunnel, and its
 * state, live on one thread.
 */
final class Tunnel {

    /** OPEN relays; GOING_AWAY waits for the end of the worker's current frame; CLOSING said goodbye. */
    private enum State { OPEN, GOING_AWAY, CLOSING }

    /** An unmasked close frame with status code 1001, "going away" (RFC 6455 sections 5.5.1 and 7.4.1). */
    private static final byte[] GOING_AWAY_FRAME = {(byte) 0x88, 0x02, 0x03, (byte) 0xE9};
    private static final long GIVE_UP_MILLIS = 1000;

    private final Backend backend;
    private final Channel client;
    private final Channel worker;
    private final FrameTracker workerFrames;
    private State state = State.OPEN;
    private boolean started;
    private ScheduledFuture<?> giveUp;

    private Tunnel(Backend backend, Channel client, Channel worker, boolean websocket) {
        this.backend = backend;
        this.client = client;
        this.worker = worker;
        this.workerFrames = websocket ? new FrameTracker() : null;
    }

    static void splice(Exchange exchange, Backend backend, ChannelHandlerContext client, Channel upstream,
                       HttpResponse switching) {
        HttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, switching.status(),
                switching.headers().copy());
        Channel front = client.channel();
        boolean websocket = "websocket".equalsIgnoreCase(switching.headers().get(HttpHeaderNames.UPGRADE));
        Tunnel tunnel = new Tunnel(backend, front, upstream, websocket);
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

    /** The worker is about to be signalled: say goodbye to the client at the next frame boundary. Any thread. */
    void goAway() {
        client.eventLoop().execute(() -> {
            if (state != State.OPEN || !client.isActive()) {
                return;
            }
            state = State.GOING_AWAY;
            giveUp = client.eventLoop().schedule(this::close, GIVE_UP_MILLIS, TimeUnit.MILLISECONDS);
            if (started && (workerFrames == null || workerFrames.atBoundary())) {
                sayGoodbye();
            } // else start() says it, or the worker's relay once its current frame has ended
        });
    }

    /** The 101 went out: relay both ways. */
    private void start() {
        rebuild(client.pipeline(), new Relay(worker, false));
        rebuild(worker.pipeline(), new Relay(client, true));
        started = true;
        if (!worker.isActive()) {
            close(); // the worker went away while the 101 was being written
        } else if (state == State.GOING_AWAY) {
            sayGoodbye(); // nothing of the worker's went to the client yet: a boundary
        } else {
            client.read();
            worker.read();
        }
    }

    private void sayGoodbye() {
        state = State.CLOSING;
        if (workerFrames == null) {
            close();
            return;
        }
        client.writeAndFlush(Unpooled.wrappedBuffer(GOING_AWAY_FRAME)).addListener(f -> close());
    }

    private void close() {
        client.close();
        worker.close();
    }

    private void closed() {
        if (giveUp != null) {
            giveUp.cancel(false);
        }
        worker.close();
        backend.tunnelClosed(this);
    }

    /** Bytes from the worker: tracked and relayed; going away, relayed only up to the end of the current frame. */
    private void fromWorker(ChannelHandlerContext ctx, ByteBuf buf) {
        if (state == State.OPEN) {
            if (workerFrames != null) {
                workerFrames.feed(buf);
            }
            relay(ctx, client, buf, true);
            return;
        }
        if (state == State.CLOSING || workerFrames == null || workerFrames.atBoundary()) {
            buf.release();
            return;
        }
        int end = workerFrames.step(buf, 0);
        ByteBuf rest = buf.retainedSlice(buf.readerIndex(), end);
        buf.release();
        boolean ended = workerFrames.atBoundary();
        relay(ctx, client, rest, !ended);
        if (ended) {
            sayGoodbye();
        }
    }

    /** Writes to {@code peer}; once written, reads again (backpressure) unless the tunnel is saying goodbye. */
    private void relay(ChannelHandlerContext ctx, Channel peer, ByteBuf buf, boolean readMore) {
        peer.writeAndFlush(buf).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
            } else if (readMore && state != State.CLOSING) {
                ctx.channel().read();
            }
        });
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

    /** One direction of the tunnel, on the channel it reads from. */
    private final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        private final boolean fromWorker;

        Relay(Channel peer, boolean fromWorker) {
            this.peer = peer;
            this.fromWorker = fromWorker;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                ctx.read();
            } else if (fromWorker) {
                fromWorker(ctx, buf);
            } else {
                relay(ctx, peer, buf, true);
            }
        }

        /** The client shut its side (client connections allow half-closure): the tunnel ends, as on a close. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (state != State.CLOSING) {
                peer.close(); // closing: the goodbye's write listener closes both
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
