package dev.baton.supervisor.control;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Gives a client a fixed time from connecting to send its whole request, head and body: a connection that sent
 * part of one, or nothing, gets {@code 408 {"error": ...}} then and is closed, instead of being held forever. Once
 * the request is in, there is no deadline: a streamed answer runs as long as it needs. Also keeps to one request
 * per connection: whatever a client sends after its first request is dropped.
 *
 * <p>Sits after the aggregator, so the first message it sees is the complete request. Runs on the channel's event
 * loop only, the timer included.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    private enum State { RECEIVING, RECEIVED, TIMED_OUT }

    private final Duration timeout;
    private State state = State.RECEIVING;
    private ScheduledFuture<?> timer;

    RequestDeadline(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (timer == null && state == State.RECEIVING) {
            timer = ctx.executor().schedule(() -> expire(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        if (state != State.RECEIVING || !ctx.channel().isActive()) {
            return;
        }
        state = State.TIMED_OUT;
        ControlHandler.reply(ctx, HttpResponseStatus.REQUEST_TIMEOUT,
                new ErrorReply("request timed out: head and body must arrive within " + text(timeout)));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state != State.RECEIVING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        state = State.RECEIVED;
        cancel();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** {@code 10 s}, or {@code 250 ms} for a timeout that is not whole seconds. */
    static String text(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}
