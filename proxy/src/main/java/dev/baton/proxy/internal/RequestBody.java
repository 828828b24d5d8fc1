package dev.baton.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * The body of one request on its way through the proxy: the pieces that arrived before a worker connection was
 * ready are held (so a retry can send them again); once pieces stream straight to a worker, the request can no
 * longer be replayed. Event loop thread only; owns the pieces it holds.
 */
final class RequestBody {

    private final List<HttpContent> held = new ArrayList<>();
    private long bytes;
    private boolean complete;
    private boolean replayable = true;

    /** Counts a piece that arrived; answers the body's size so far. */
    long arrived(HttpContent piece) {
        bytes += piece.content().readableBytes();
        complete = piece instanceof LastHttpContent;
        return bytes;
    }

    /** Keeps a piece that arrived while no worker connection was ready. */
    void hold(HttpContent piece) {
        held.add(piece);
    }

    /**
     * A piece is about to stream to a worker: a piece with bytes makes the request unreplayable; an empty last
     * piece is remembered, so a retry ends the request the same way.
     */
    void streaming(HttpContent piece) {
        if (piece.content().isReadable()) {
            replayable = false;
        } else if (piece instanceof LastHttpContent) {
            held.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /** Writes every held piece to {@code ch} (not flushed), each write reporting to {@code listener}. */
    void replay(Channel ch, ChannelFutureListener listener) {
        for (HttpContent c : held) {
            ch.write(c.retainedDuplicate()).addListener(listener);
        }
    }

    /** True once the client sent the whole body. */
    boolean complete() {
        return complete;
    }

    /** True while every byte of the body is held here: it may be sent to another worker. */
    boolean replayable() {
        return replayable;
    }

    void release() {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }
}
