package dev.baton.proxy.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection that waits too long between requests. Install right after the codec, with a
 * {@link RequestGuard} before the codec (its {@link RequestGuard.Event#HEAD_STARTED} tells this handler that the
 * first byte of a head arrived: the codec itself says nothing until the head is whole).
 *
 * <p>A connection is <em>waiting</em> from the moment it becomes active, and again from the moment the last
 * outstanding response is fully written (its {@link LastHttpContent} flushed; 1xx interim responses do not count),
 * until the next {@link HttpRequest} is read. While waiting and no byte of a head has arrived, the keep-alive
 * timeout runs and its expiry closes the connection silently. Once a byte of a head arrives (possibly while the
 * previous response was still being written), the header timeout runs instead, measured from that byte or from
 * the end of the response, whichever is later; its expiry answers 408 and closes. No timer runs while a request
 * is being served, and none after a 101 response (the connection is no longer HTTP). Timers are scheduled on the
 * channel's event loop; nothing blocks.
 */
public final class HeaderTimeoutHandler extends ChannelDuplexHandler {

    private final long headerTimeoutMillis;
    private final long keepaliveTimeoutMillis;
    private ScheduledFuture<?> timer;
    private boolean timingHead;
    private boolean headStarted;
    private boolean armed;
    private boolean interim;
    private boolean stopped;
    private int outstanding;

    public HeaderTimeoutHandler(long headerTimeoutMillis, long keepaliveTimeoutMillis) {
        if (headerTimeoutMillis <= 0 || keepaliveTimeoutMillis <= 0) {
            throw new IllegalArgumentException("header timeout " + headerTimeoutMillis
                    + " ms, keep-alive timeout " + keepaliveTimeoutMillis + " ms: both must be positive");
        }
        this.headerTimeoutMillis = headerTimeoutMillis;
        this.keepaliveTimeoutMillis = keepaliveTimeoutMillis;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    private void start(ChannelHandlerContext ctx) {
        if (!armed) {
            armed = true;
            waitForHead(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == RequestGuard.Event.HEAD_STARTED) {
            headStarted = true;
            if (timer != null && !timingHead) {
                cancel();
                schedule(ctx, true);
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) {
            cancel();
            headStarted = false;
            outstanding++;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response) {
            interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                stop();
            }
        }
        if (!(msg instanceof LastHttpContent) || stopped) {
            super.write(ctx, msg, promise);
        } else if (interim) {
            interim = false;
            super.write(ctx, msg, promise);
        } else {
            ChannelPromise written = promise.unvoid();
            super.write(ctx, msg, written);
            written.addListener(f -> responseDone(ctx));
        }
    }

    private void responseDone(ChannelHandlerContext ctx) {
        outstanding = Math.max(0, outstanding - 1);
        if (outstanding == 0 && ctx.channel().isActive()) {
            waitForHead(ctx);
        }
    }

    private void waitForHead(ChannelHandlerContext ctx) {
        cancel();
        schedule(ctx, headStarted);
    }

    private void schedule(ChannelHandlerContext ctx, boolean head) {
        if (stopped) {
            return;
        }
        timingHead = head;
        long millis = head ? headerTimeoutMillis : keepaliveTimeoutMillis;
        timer = ctx.executor().schedule(() -> expired(ctx, head), millis, TimeUnit.MILLISECONDS);
    }

    private void expired(ChannelHandlerContext ctx, boolean head) {
        timer = null;
        if (stopped || !ctx.channel().isActive()) {
            return;
        }
        stop();
        if (head) {
            String detail = "no complete request head within " + headerTimeoutMillis + " ms";
            Responses.send(ctx, Responses.error(HttpResponseStatus.REQUEST_TIMEOUT, detail), true);
        } else {
            ctx.close();
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void stop() {
        stopped = true;
        cancel();
    }
}
