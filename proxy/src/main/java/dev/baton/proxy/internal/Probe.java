package dev.baton.proxy.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Promise;

/**
 * A GET the proxy sends a backend on its own account (a health check, a warm-up request), on a connection of its
 * own that the backend closes after answering. Its result is a {@code Promise<String>} completed with null when
 * it passed, or with the reason it failed; the first completion wins.
 */
final class Probe {

    private Probe() {
    }

    /** The GET of {@code path}, with {@code Connection: close} and {@code userAgent}. */
    static DefaultFullHttpRequest request(String path, String userAgent) {
        DefaultFullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
        get.headers().set(HttpHeaderNames.HOST, "localhost")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.USER_AGENT, userAgent);
        return get;
    }

    /**
     * Reads the answer after the client codec; what passes is the subclass's {@code channelRead0}. A connection
     * that closes first, or fails, fails the probe.
     */
    abstract static class Reader extends SimpleChannelInboundHandler<HttpObject> {
        final Promise<String> result;
        private final String closedEarly;

        /** {@code closedEarly}: the failure when the connection closes before the answer was enough. */
        Reader(Promise<String> result, String closedEarly) {
            this.result = result;
            this.closedEarly = closedEarly;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.trySuccess(closedEarly);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.trySuccess(Errors.describe(cause));
            ctx.close();
        }
    }
}
