package dev.baton.proxy.internal;

import io.netty.channel.Channel;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A program's open HTTP client connections (a connection that became a WebSocket tunnel leaves the set), for a
 * soft stop: {@link #closeWhenIdle} asks each to close once its current answer is out; {@link #seal} says that no
 * connection can come any more (the listeners are closed, their accept queues drained); {@link #gone} completes
 * once both are done and none is left. Thread-safe; each connection is only touched on its own event loop.
 */
final class ClientConnections {

    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> gone = new CompletableFuture<>();
    private volatile boolean closing;
    private volatile boolean sealed;

    /** A connection was accepted; when {@link #closing()}, its handler starts in closing mode. */
    void add(Channel ch) {
        open.add(ch);
        ch.closeFuture().addListener(f -> remove(ch));
    }

    /** The connection closed, or stopped being HTTP (a tunnel). */
    void remove(Channel ch) {
        if (open.remove(ch) && closing && sealed && open.isEmpty()) {
            gone.complete(null);
        }
    }

    /** True once the program stopped accepting: every connection closes after its current answer. */
    boolean closing() {
        return closing;
    }

    int count() {
        return open.size();
    }

    /** No connection can be added any more: {@link #gone} may complete. */
    void seal() {
        sealed = true;
        if (closing && open.isEmpty()) {
            gone.complete(null);
        }
    }

    /** Completes once the connections are sealed, asked to close, and all closed. */
    CompletableFuture<Void> gone() {
        return gone;
    }

    /** Asks every connection to close once idle (and those added later to start closing). Idempotent. */
    void closeWhenIdle() {
        closing = true;
        for (Channel ch : open) {
            ch.eventLoop().execute(() -> {
                FrontendHandler frontend = ch.pipeline().get(FrontendHandler.class);
                if (frontend != null) {
                    frontend.closeWhenIdle();
                }
            });
        }
        if (sealed && open.isEmpty()) {
            gone.complete(null);
        }
    }

    /** Closes every connection now. */
    void closeAll() {
        closing = true;
        open.forEach(Channel::close);
    }
}
