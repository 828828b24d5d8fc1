package dev.baton.supervisor.control;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * {@link HttpObjectAggregator} whose refusals are JSON like every other control answer, and final: a body larger
 * than the limit gets {@code 413 {"error": ...}} and the connection closes, whether the client announced it
 * ({@code Content-Length}, {@code Expect: 100-continue}) or just sent it; an {@code Expect} other than
 * {@code 100-continue} gets 417 and the same end. (Netty answers these with an empty body, and keeps a connection
 * open after a refused {@code 100-continue}.)
 */
final class ControlAggregator extends HttpObjectAggregator {

    ControlAggregator(int maxBody) {
        super(maxBody);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        String expect = start.headers().get(HttpHeaderNames.EXPECT);
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(answer instanceof HttpResponse refused) || refused.status().code() < 400) {
            return answer; // none, or 100 Continue
        }
        HttpResponseStatus status = refused.status();
        ReferenceCountUtil.release(answer);
        return ControlHandler.response(status, status.equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE) ? tooLarge()
                : new ErrorReply("unsupported Expect: " + expect + " (only 100-continue is)"));
    }

    @Override
    protected boolean closeAfterContinueResponse(Object msg) {
        return ignoreContentAfterContinueResponse(msg); // a refusal ends the connection
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ControlHandler.reply(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
    }

    private ErrorReply tooLarge() {
        return new ErrorReply("request body larger than " + maxContentLength() + " bytes");
    }
}
