package dev.baton.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * An answer on its way to the client: the worker's head rewritten for the client's connection
 * ({@link ClientResponse}), its body relayed piece by piece with backpressure (the worker is read again only once
 * the client took the last piece), and its end recognised: by length or chunks, or by the worker closing a
 * close-delimited body. Or Baton's own answer, when no worker answered. Keeps what the access log needs. Event
 * loop thread of the client connection only.
 *
 * <p>The head waits here until the first piece of the body (or the end) comes, and goes out with it, or on its own
 * after {@link #HEAD_HOLD_MILLIS} from the end of the read that brought it (a long poll or an event stream sends its
 * head long before its body): a worker that dies right after its head has sent the client nothing, so the request
 * can still go to another worker.
 */
final class ResponseRelay {

    /** How long a head may wait for its body before it goes to the client alone. */
    static final long HEAD_HOLD_MILLIS = 100;

    private final ChannelHandlerContext client;
    private HttpResponse pending;
    private ScheduledFuture<?> headTimer;
    private boolean received;
    private boolean started;
    private boolean workerKeepAlive;
    private boolean closeDelimited;
    private int status;
    private long bytes;
    private boolean logged;

    ResponseRelay(ChannelHandlerContext client) {
        this.client = client;
    }

    /** True once a byte of the answer went to the client: from then on nothing can be retried. */
    boolean started() {
        return started;
    }

    /** True once the worker's head arrived (it may still wait here, unsent). */
    boolean received() {
        return received;
    }

    /** Forgets a head that never went to the client (its worker died): the request may be tried again. */
    void discard() {
        cancelHeadTimer();
        pending = null;
        received = false;
    }

    private void cancelHeadTimer() {
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }

    int status() {
        return status;
    }

    long bytes() {
        return bytes;
    }

    /** The worker's connection can serve another exchange after this answer. */
    boolean workerReusable() {
        return workerKeepAlive && !closeDelimited;
    }

    /** The worker ends this body by closing its connection. */
    boolean closeDelimited() {
        return closeDelimited;
    }

    /** Keeps the worker's head, rewritten for a client that wants {@code keepAlive}, to go out with the body. */
    void head(HttpResponse worker, HttpMethod method, boolean keepAlive, boolean clientHttp10) {
        received = true;
        status = worker.status().code();
        workerKeepAlive = HttpUtil.isKeepAlive(worker);
        ClientResponse out = ClientResponse.of(worker, method, keepAlive, clientHttp10);
        closeDelimited = out.closeDelimited();
        pending = out.head();
    }

    /**
     * The worker's read ended: a head still kept here (its body was not in the same read) goes out alone after
     * {@link #HEAD_HOLD_MILLIS} unless body comes first. Timed from here rather than from the head, so that the usual
     * answer, head and body read together, schedules nothing.
     */
    void readComplete() {
        if (pending != null && headTimer == null) {
            headTimer = client.executor().schedule(() -> {
                headTimer = null;
                if (pending != null) {
                    sendHead();
                    client.flush();
                }
            }, HEAD_HOLD_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Writes the head kept so far, if any (not flushed). */
    private void sendHead() {
        cancelHeadTimer();
        if (pending != null) {
            client.write(pending);
            pending = null;
            started = true;
        }
    }

    /**
     * Writes a piece of the body and flushes; once written, reads the next piece from {@code worker} while
     * {@code current} still holds. A failed write goes to {@code clientGone}. Before the last piece is written,
     * {@code beforeEnd} runs (the access log line is out before the client can see the end and ask again).
     */
    void content(HttpContent piece, Channel worker, BooleanSupplier current, Consumer<String> clientGone,
                 Runnable beforeEnd) {
        boolean last = piece instanceof LastHttpContent;
        bytes += piece.content().readableBytes();
        if (last) {
            beforeEnd.run();
        }
        sendHead();
        client.writeAndFlush(piece).addListener(f -> {
            if (!f.isSuccess()) {
                clientGone.accept("client went away: " + Errors.describe(f.cause()));
            } else if (!last && current.getAsBoolean()) {
                worker.read();
            }
        });
    }

    /** The worker closed a close-delimited body: its end ({@code beforeEnd} runs first, as for the last piece). */
    void endByClose(Runnable beforeEnd) {
        workerKeepAlive = false;
        beforeEnd.run();
        sendHead();
        client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** Baton answers itself (no worker did); {@code close}: the connection closes after it. */
    void own(FullHttpResponse response, boolean close) {
        discard();
        started = true;
        status = response.status().code();
        bytes = response.content().readableBytes();
        Responses.send(client, response, close);
    }

    /** True the first time only: the answer's access log line is written once. */
    boolean firstLog() {
        boolean first = !logged;
        logged = true;
        return first;
    }

    /** A WebSocket's 101 went out: the tunnel takes over. */
    void switched() {
        status = 101;
    }
}
