package dev.baton.proxy.internal;

import dev.baton.proxy.ProxySettings;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client's own timeouts: a connection that waits too long between requests is closed, a head that takes too
 * long is answered 408, a request body that stops arriving is reported to the core. Install right after the codec,
 * with a {@link RequestGuard} before the codec (its {@link RequestGuard.Event#HEAD_STARTED} tells this handler that the
 * first byte of a head arrived: the codec itself says nothing until the head is whole).
 *
 * <p>A connection is <em>waiting</em> from the moment it becomes active, and again from the moment the last
 * outstanding response is fully written (its {@link LastHttpContent} flushed; 1xx interim responses do not count),
 * until the next {@link HttpRequest} is read. While waiting and no byte of a head has arrived, the keep-alive
 * timeout runs and its expiry closes the connection silently. Once a byte of a head arrives (possibly while the
 * previous response was still being written), the header timeout runs instead, measured from that byte or from
 * the end of the response, whichever is later; its expiry answers 408 and closes. No timer runs while a request
 * is being served, and none after a 101 response (the connection is no longer HTTP).
 *
 * <p>Body timeout: while the last request read has a body still to come and the core asks for more of it (a
 * {@code read()} passes outbound through this handler), the body timeout runs from that {@code read()} until the next
 * piece of body arrives. The core asks only when it can take more (it does not while a request waits for a worker,
 * nor while the worker is slow to take the body), so the timer measures the client's silence alone. Its expiry
 * fires {@link Event#BODY_TIMEOUT} to the core, which answers 408 (or closes, if the response started) and frees
 * the worker. Timers are scheduled on the channel's event loop; nothing blocks.
 */
public final class ClientTimeouts extends ChannelDuplexHandler {

    /** User events fired towards the core. */
    public enum Event { BODY_TIMEOUT }

    private final long headerTimeoutMillis;
    private final long bodyTimeoutMillis;
    private final long keepaliveTimeoutMillis;
    private ChannelHandlerContext ctx;
    /*
     * Keep-alive and header timeouts: one Deadline each, so that a request on a busy connection moves deadlines instead of scheduling and cancelling
     * timers (a keep-alive timeout and a header timeout of different lengths sharing one would reschedule each time).
     */
    private Deadline keepaliveTimer;
    private Deadline headerTimer;
    private ScheduledFuture<?> bodyTimer;
    private final Runnable keepaliveExpired = () -> expired(false);
    private final Runnable headerExpired = () -> expired(true);
    /** The keep-alive or the header timer is armed. */
    private boolean timing;
    private boolean inBody;
    /** The core asked for body bytes that have not come yet. */
    private boolean bodyWaiting;
    /** Between a read's first message and its end. */
    private boolean reading;
    private boolean timingHead;
    private boolean headStarted;
    private boolean armed;
    private boolean interim;
    private boolean stopped;
    private int outstanding;

    /** {@code timeouts}' header, body and keep-alive timeouts, which must be positive. */
    public ClientTimeouts(ProxySettings.Timeouts timeouts) {
        this.headerTimeoutMillis = timeouts.header().toMillis();
        this.bodyTimeoutMillis = timeouts.body().toMillis();
        this.keepaliveTimeoutMillis = timeouts.keepalive().toMillis();
        if (headerTimeoutMillis <= 0 || bodyTimeoutMillis <= 0 || keepaliveTimeoutMillis <= 0) {
            throw new IllegalArgumentException("header timeout " + headerTimeoutMillis + " ms, body timeout "
                    + bodyTimeoutMillis + " ms, keep-alive timeout " + keepaliveTimeoutMillis
                    + " ms: all must be positive");
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        keepaliveTimer = new Deadline(ctx.executor());
        headerTimer = new Deadline(ctx.executor());
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
            if (timing && !timingHead) {
                cancel();
                schedule(ctx, true);
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        if (msg instanceof HttpRequest) {
            cancel();
            headStarted = false;
            outstanding++;
            inBody = true;
        }
        if (msg instanceof HttpContent) {
            cancelBody(); // bytes came
        }
        if (msg instanceof LastHttpContent) {
            inBody = false;
        }
        super.channelRead(ctx, msg);
    }

    /**
     * The core asks for more: while a body is still to come, its silence is timed from now. Inside a read (the
     * core asks while handling a request head), the timer is armed only once the read is complete and the body
     * still missing: a GET's empty body arrives in the same read, so it costs no timer.
     */
    @Override
    public void read(ChannelHandlerContext ctx) throws Exception {
        if (inBody && !stopped) {
            bodyWaiting = true;
            if (!reading) {
                armBody(ctx);
            }
        }
        super.read(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        reading = false;
        if (bodyWaiting) {
            armBody(ctx);
        }
        super.channelReadComplete(ctx);
    }

    private void armBody(ChannelHandlerContext ctx) {
        if (bodyTimer == null && !stopped) { // a request with a body: rare enough for a timer of its own
            bodyTimer = ctx.executor().schedule(this::bodyExpired, bodyTimeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void bodyExpired() {
        bodyTimer = null;
        if (!stopped && inBody && bodyWaiting && ctx.channel().isActive()) {
            bodyWaiting = false;
            ctx.fireUserEventTriggered(Event.BODY_TIMEOUT);
        }
    }

    private void cancelBody() {
        bodyWaiting = false;
        if (bodyTimer != null) {
            bodyTimer.cancel(false);
            bodyTimer = null;
        }
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
        timing = true;
        timingHead = head;
        if (head) {
            headerTimer.arm(TimeUnit.MILLISECONDS.toNanos(headerTimeoutMillis), headerExpired);
        } else {
            keepaliveTimer.arm(TimeUnit.MILLISECONDS.toNanos(keepaliveTimeoutMillis), keepaliveExpired);
        }
    }

    private void expired(boolean head) {
        timing = false;
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
        timing = false;
        keepaliveTimer.disarm();
        headerTimer.disarm();
    }

    private void stop() {
        stopped = true;
        cancel();
        cancelBody();
        keepaliveTimer.close();
        headerTimer.close();
    }
}
