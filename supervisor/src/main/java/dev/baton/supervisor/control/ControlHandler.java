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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Routes control requests to {@link ControlApi} and writes its answers (records) as JSON. One request per
 * connection: every response closes it. Every target is resolved by the daemon ({@link ControlApi#resolve})
 * before the endpoint acts on it. The caller's mistakes are answered before the API sees them: an unknown
 * path (404), the wrong method (405), a malformed head or request target, an unknown query parameter or a value of
 * the wrong shape (400).
 *
 * <pre>
 * GET  /v1/status                          workers and daemon
 * GET  /v1/targets?target=T...             what the targets select (programs, workers by number, names)
 * POST /v1/start|stop|restart?target=T...  results per worker
 * POST /v1/signal?signal=HUP&amp;target=T...
 * GET  /v1/pid?target=T...                 the daemon's pid and the selected workers'
 * POST /v1/shutdown
 * GET  /v1/config                          the file on disk compared with what runs; 400 bad config
 * POST /v1/reload?program=P...&amp;wait=1&amp;canary=1   NDJSON steps, then {"summary": [...]}; 400 bad config, 409 busy
 * POST /v1/update?program=P...&amp;wait=1   as reload, of what /v1/config reports changed, added or removed
 * POST /v1/upgrade                          NDJSON steps of the new daemon's start, then {"upgrade": ...}; 409 busy
 * GET  /v1/logs?n=N&amp;follow=1&amp;target=T...  NDJSON lines, streamed while follow is set
 * GET  /metrics                             Prometheus text format 0.0.4 (also on the admin address)
 * GET  /ready?program=P                     200 "ready", 503 "not ready: why", 404 unknown program (admin too)
 * GET  /live                                200 "live" while the supervisor loop answers, else 503 (admin too)
 * </pre>
 *
 * <p>On the admin address ({@code metrics_listen}) only the endpoints marked admin exist; the others are 404.
 * Like {@code /metrics}, the probes are unversioned paths, the same on both sockets, and answer HEAD as GET without
 * the body (load balancers' checks often use HEAD).
 */
final class ControlHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** Each endpoint: its path, the one method it answers and the query parameters it takes. */
    private enum Endpoint {
        STATUS("/v1/status", HttpMethod.GET),
        TARGETS("/v1/targets", HttpMethod.GET, "target"),
        START("/v1/start", HttpMethod.POST, "target"),
        STOP("/v1/stop", HttpMethod.POST, "target"),
        RESTART("/v1/restart", HttpMethod.POST, "target"),
        SIGNAL("/v1/signal", HttpMethod.POST, "signal", "target"),
        PID("/v1/pid", HttpMethod.GET, "target"),
        SHUTDOWN("/v1/shutdown", HttpMethod.POST),
        CONFIG("/v1/config", HttpMethod.GET),
        RELOAD("/v1/reload", HttpMethod.POST, "program", "wait", "canary"),
        UPDATE("/v1/update", HttpMethod.POST, "program", "wait"),
        UPGRADE("/v1/upgrade", HttpMethod.POST),
        LOGS("/v1/logs", HttpMethod.GET, "n", "follow", "target", "since"),
        METRICS("/metrics", HttpMethod.GET),
        READY("/ready", HttpMethod.GET, "program"),
        LIVE("/live", HttpMethod.GET);

        final String path;
        final HttpMethod method;
        final List<String> parameters;

        Endpoint(String path, HttpMethod method, String... parameters) {
            this.path = path;
            this.method = method;
            this.parameters = List.of(parameters);
        }

        /** Safe to answer on the admin address, which may face a network: reads nothing private, changes nothing. */
        boolean admin() {
            return this == METRICS || probe();
        }

        /** A health check: answered to HEAD as to GET, without the body. */
        boolean probe() {
            return this == READY || this == LIVE;
        }

        boolean answers(HttpMethod m) {
            return m.equals(method) || probe() && m.equals(HttpMethod.HEAD);
        }
    }

    private final ControlApi api;
    private final boolean adminOnly;

    ControlHandler(ControlApi api) {
        this(api, false);
    }

    ControlHandler(ControlApi api, boolean adminOnly) {
        this.api = api;
        this.adminOnly = adminOnly;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            malformed(ctx, request.decoderResult().cause());
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path;
        Map<String, List<String>> parameters;
        try {
            path = uri.path();
            parameters = uri.parameters();
        } catch (IllegalArgumentException e) { // a bad percent escape
            reply(ctx, HttpResponseStatus.BAD_REQUEST, new ErrorReply("malformed request target: " + e.getMessage()));
            return;
        }
        Endpoint endpoint = Stream.of(Endpoint.values()).filter(e -> e.path.equals(path) && (e.admin() || !adminOnly))
                .findFirst().orElse(null);
        if (endpoint == null) {
            reply(ctx, HttpResponseStatus.NOT_FOUND, new ErrorReply("no such endpoint: " + path));
        } else if (!endpoint.answers(request.method())) {
            reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, new ErrorReply("use " + endpoint.method.name()));
        } else {
            try {
                serve(ctx, endpoint, new Query(parameters, endpoint.parameters),
                        request.method().equals(HttpMethod.HEAD));
            } catch (IllegalArgumentException e) { // a parameter, before the API was asked
                reply(ctx, HttpResponseStatus.BAD_REQUEST, new ErrorReply(e.getMessage()));
            }
        }
    }

    /** Reads the endpoint's parameters (each mistake throws) and only then asks the API. */
    private void serve(ChannelHandlerContext ctx, Endpoint endpoint, Query query, boolean head) {
        List<String> targets = query.targets(); // none where the endpoint takes none
        switch (endpoint) {
            case STATUS -> answer(ctx, api::status);
            case TARGETS -> answer(ctx, () -> api.resolve(targets));
            case START -> answer(ctx, () -> resolved(targets, api::start));
            case STOP -> answer(ctx, () -> resolved(targets, api::stop));
            case RESTART -> answer(ctx, () -> resolved(targets, api::restart));
            case SIGNAL -> {
                String signal = query.first("signal", "");
                answer(ctx, () -> resolved(targets, t -> api.signal(signal, t)));
            }
            case PID -> answer(ctx, () -> api.resolve(targets).thenCompose(api::pid));
            case SHUTDOWN -> answer(ctx, api::shutdown);
            case CONFIG -> answer(ctx, api::config);
            case RELOAD -> {
                ReloadStreamer.start(ctx, api, new ReloadRequest(query.all("program"), query.flag("wait"),
                        query.flag("canary")));
            }
            case UPDATE -> {
                ReloadRequest request = new ReloadRequest(query.all("program"), query.flag("wait"), false);
                ReloadStreamer.start(ctx, progress -> api.update(request, progress));
            }
            case UPGRADE -> ReloadStreamer.start(ctx, api::upgrade);
            case LOGS -> {
                int n = query.count("n", 20);
                boolean follow = query.flag("follow");
                long since = query.epochMillis("since", 0);
                logs(ctx, targets, n, follow, since);
            }
            case METRICS -> metrics(ctx);
            case READY -> {
                String program = query.first("program", null);
                if (program != null && program.isEmpty()) {
                    throw new IllegalArgumentException("program must not be empty");
                }
                probe(ctx, head, () -> api.ready(Optional.ofNullable(program)));
            }
            case LIVE -> probe(ctx, head, api::live);
        }
    }

    /** A probe's one line as plain text with its status; a failure (not expected) is a 503 too. */
    private static void probe(ChannelHandlerContext ctx, boolean head, Supplier<CompletableFuture<ProbeReply>> call) {
        CompletableFuture<ProbeReply> answer;
        try {
            answer = call.get();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((reply, error) -> {
            ProbeReply r = error == null ? reply : ProbeReply.unavailable("not ready: internal error: " + error);
            byte[] text = (r.text() + "\n").getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(r.result().status),
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(text));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        });
    }

    /** Resolves the targets as typed, then acts on the programs and workers they select. */
    private <T> CompletableFuture<T> resolved(List<String> targets,
                                              java.util.function.Function<List<Target>, CompletableFuture<T>> act) {
        return api.resolve(targets).thenCompose(selection -> act.apply(selection.targets()));
    }

    /** The metrics, gathered off the event loop; a failure is a plain 500. */
    private void metrics(ChannelHandlerContext ctx) {
        CompletableFuture<MetricsText> text;
        try {
            text = api.metrics();
        } catch (RuntimeException e) {
            text = CompletableFuture.failedFuture(e);
        }
        text.whenComplete((metrics, error) -> {
            if (error != null) {
                fail(ctx, error);
                return;
            }
            ByteBuf content = Unpooled.wrappedBuffer(metrics.bytes());
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    content);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, metrics.contentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        });
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

    private static <T extends Record> void answer(ChannelHandlerContext ctx, Supplier<CompletableFuture<T>> call) {
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

    private void logs(ChannelHandlerContext ctx, List<String> targets, int n, boolean follow, long since) {
        CompletableFuture<TargetSelection> selection;
        try {
            selection = api.resolve(targets);
        } catch (RuntimeException e) {
            selection = CompletableFuture.failedFuture(e);
        }
        selection.whenComplete((selected, error) -> {
            if (error != null) {
                fail(ctx, error);
            } else {
                ctx.executor().execute(() -> LogStreamer.start(ctx, api.logs(), selected, n, follow, since));
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
