package dev.baton.proxy.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Responses the proxy makes itself: small text/plain errors, the queue-full 503, and sending with close. */
public final class Responses {

    private Responses() {
    }

    /**
     * An HTTP/1.1 response with a text/plain body {@code "502 Bad Gateway: <detail>\n"} (just the status line text
     * when {@code detail} is null or empty) and its Content-Length. Carries {@code Connection: close} when
     * {@link #closes(HttpResponseStatus)}.
     */
    public static FullHttpResponse error(HttpResponseStatus status, String detail) {
        String text = status.code() + " " + status.reasonPhrase()
                + (detail == null || detail.isEmpty() ? "" : ": " + detail) + "\n";
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (closes(status)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /**
     * True for the statuses after which the connection cannot be reused: 400 (framing may be lost), 408 (the
     * client is too slow), 413 (the unread body is still on the wire), 414 and 431 (the head was not read whole),
     * 505 (what follows is not HTTP/1.x).
     */
    public static boolean closes(HttpResponseStatus status) {
        int code = status.code();
        return code == 400 || code == 408 || code == 413 || code == 414 || code == 431 || code == 505;
    }

    /** 503 with {@code Retry-After: <seconds>} (at least 1): no worker took the request ({@code detail} says why). */
    public static FullHttpResponse unavailable(String detail, long retryAfterSeconds) {
        FullHttpResponse response = error(HttpResponseStatus.SERVICE_UNAVAILABLE, detail);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, Math.max(1, retryAfterSeconds));
        return response;
    }

    /**
     * Writes and flushes {@code r}; when {@code close}, sets {@code Connection: close} and closes the channel once
     * the response is flushed. A failed write closes the channel either way. Never blocks.
     */
    public static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean close) {
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(r).addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
