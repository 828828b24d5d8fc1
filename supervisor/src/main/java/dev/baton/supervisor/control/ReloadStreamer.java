package dev.baton.supervisor.control;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /v1/reload} and {@code POST /v1/upgrade}: a refused one gets a plain error answer (400, or 409 when
 * one is running already); a started one streams NDJSON, one object per step as it happens, then its summary
 * last ({@code {"summary": [...]}}, or {@link UpgradeSummary}).
 * Steps that happen before the answer's head is out wait in a buffer, so none is lost and none comes twice.
 */
final class ReloadStreamer {

    private final ChannelHandlerContext ctx;
    private final List<ReloadStep> early = new ArrayList<>();
    private boolean streaming;

    private ReloadStreamer(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    static void start(ChannelHandlerContext ctx, ControlApi api, ReloadRequest request) {
        start(ctx, progress -> api.reload(request, progress));
    }

    /** Starts what {@code call} starts with this stream's step consumer, and streams it. */
    static <T extends Record> void start(ChannelHandlerContext ctx,
            java.util.function.Function<java.util.function.Consumer<ReloadStep>,
                    CompletableFuture<CompletableFuture<T>>> call) {
        ReloadStreamer streamer = new ReloadStreamer(ctx);
        CompletableFuture<CompletableFuture<T>> started;
        try {
            started = call.apply(streamer::step);
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        started.whenComplete((summary, error) -> {
            if (error != null) {
                refuse(ctx, error);
                return;
            }
            streamer.open();
            summary.whenComplete((value, failure) -> streamer.finish(failure == null ? value
                    : new ErrorReply("internal error: " + unwrap(failure))));
        });
    }

    private static void refuse(ChannelHandlerContext ctx, Throwable error) {
        Throwable cause = unwrap(error);
        HttpResponseStatus status = cause instanceof IllegalArgumentException ? HttpResponseStatus.BAD_REQUEST
                : cause instanceof IllegalStateException ? HttpResponseStatus.CONFLICT
                : HttpResponseStatus.INTERNAL_SERVER_ERROR;
        String message = status == HttpResponseStatus.INTERNAL_SERVER_ERROR ? "internal error: " + cause
                : cause.getMessage();
        ControlHandler.reply(ctx, status, new ErrorReply(message));
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private synchronized void step(ReloadStep event) {
        if (streaming) {
            ctx.writeAndFlush(chunk(event));
        } else {
            early.add(event);
        }
    }

    private synchronized void open() {
        ctx.write(Ndjson.head());
        early.forEach(event -> ctx.write(chunk(event)));
        early.clear();
        ctx.flush();
        streaming = true;
    }

    private synchronized void finish(Record summary) {
        streaming = false; // steps after the summary (a late "stopped") are dropped, never written after the end
        ctx.write(chunk(summary));
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        early.clear();
    }

    private static DefaultHttpContent chunk(Record value) {
        return Ndjson.line(value);
    }
}
