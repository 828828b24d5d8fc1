package dev.baton.supervisor.control;

import dev.baton.supervisor.Target;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Routes control requests to {@link ControlApi} and writes its answers (records) as JSON. One request per
 * connection: every response closes it. A malformed target is the caller's mistake (400) before the API sees it.
 *
 * <pre>
 * GET  /v1/status                          workers and daemon
 * POST /v1/start|stop|restart?target=T...  results per worker
 * POST /v1/signal?signal=HUP&amp;target=T...
 * POST /v1/shutdown
 * POST /v1/reload?program=P...&amp;wait=1   NDJSON steps, then {"summary": [...]}; 400 bad config, 409 busy
 * GET  /v1/logs?n=N&amp;follow=1&amp;target=T...  NDJSON lines, streamed while follow is set
 * </pre>
 */
final class ControlHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final ControlApi api;

    ControlHandler(ControlApi api) {
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            malformed(ctx, request.decoderResult().cause());
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        List<String> targets = query.parameters().getOrDefault("target", List.of());
        Supplier<List<Target>> parsed = () -> Target.parseAll(targets);
        HttpMethod method = request.method();
        String path = query.path();
        switch (path) {
            case "/v1/status" -> route(ctx, method, HttpMethod.GET, api::status);
            case "/v1/start" -> route(ctx, method, HttpMethod.POST, () -> api.start(parsed.get()));
            case "/v1/stop" -> route(ctx, method, HttpMethod.POST, () -> api.stop(parsed.get()));
            case "/v1/restart" -> route(ctx, method, HttpMethod.POST, () -> api.restart(parsed.get()));
            case "/v1/signal" -> route(ctx, method, HttpMethod.POST,
                    () -> api.signal(first(query, "signal", ""), parsed.get()));
            case "/v1/shutdown" -> route(ctx, method, HttpMethod.POST, api::shutdown);
            case "/v1/reload" -> {
                if (method.equals(HttpMethod.POST)) {
                    ReloadStreamer.start(ctx, api, query.parameters().getOrDefault("program", List.of()),
                            List.of("1", "true", "yes").contains(first(query, "wait", "0")));
                } else {
                    notAllowed(ctx, HttpMethod.POST);
                }
            }
            case "/v1/logs" -> {
                if (method.equals(HttpMethod.GET)) {
                    logs(ctx, query, targets);
                } else {
                    notAllowed(ctx, HttpMethod.GET);
                }
            }
            default -> reply(ctx, HttpResponseStatus.NOT_FOUND, new ErrorReply("no such endpoint: " + path));
        }
    }

    /** The request's head could not be read: too long a line or head, or not HTTP/1.x. */
    private static void malformed(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            reply(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    new ErrorReply("request line longer than " + ControlInitializer.MAX_LINE + " bytes"));
        } else if (cause instanceof TooLongHttpHeaderException) {
            reply(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    new ErrorReply("request headers longer than " + ControlInitializer.MAX_HEADERS + " bytes"));
        } else {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, new ErrorReply("malformed request: " + cause.getMessage()));
        }
    }

    private static <T extends Record> void route(ChannelHandlerContext ctx, HttpMethod method, HttpMethod allowed,
                                                 Supplier<CompletableFuture<T>> call) {
        if (!method.equals(allowed)) {
            notAllowed(ctx, allowed);
            return;
        }
        CompletableFuture<T> answer;
        try {
            answer = call.get();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((value, error) -> {
            if (error == null) {
                reply(ctx, HttpResponseStatus.OK, value);
            } else {
                fail(ctx, error);
            }
        });
    }

    private void logs(ChannelHandlerContext ctx, QueryStringDecoder query, List<String> targets) {
        int n;
        try {
            n = Integer.parseInt(first(query, "n", "20"));
        } catch (NumberFormatException e) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, new ErrorReply("n must be a whole number"));
            return;
        }
        List<Target> parsed;
        try {
            parsed = Target.parseAll(targets);
        } catch (IllegalArgumentException e) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, new ErrorReply(e.getMessage()));
            return;
        }
        boolean follow = List.of("1", "true", "yes").contains(first(query, "follow", "0"));
        api.checkTargets(parsed).whenComplete((ok, error) -> {
            if (error != null) {
                fail(ctx, error);
            } else {
                ctx.executor().execute(() -> LogStreamer.start(ctx, api.logs(), parsed, Math.max(0, n), follow));
            }
        });
    }

    /** A complete JSON answer that closes the connection. */
    static FullHttpResponse response(HttpResponseStatus status, Record body) {
        ByteBuf content = Unpooled.copiedBuffer(Json.write(body) + "\n", StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    /** Writes {@code body} as the JSON answer, then closes the connection. */
    static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, Record body) {
        ctx.writeAndFlush(response(status, body)).addListener(ChannelFutureListener.CLOSE);
    }

    private static void fail(ChannelHandlerContext ctx, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof IllegalArgumentException) {
            reply(ctx, HttpResponseStatus.BAD_REQUEST, new ErrorReply(cause.getMessage()));
        } else {
            reply(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, new ErrorReply("internal error: " + cause));
        }
    }

    private static void notAllowed(ChannelHandlerContext ctx, HttpMethod allowed) {
        reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, new ErrorReply("use " + allowed.name()));
    }

    private static String first(QueryStringDecoder query, String name, String fallback) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
