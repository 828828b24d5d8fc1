package dev.baton.proxy.internal;

import dev.baton.proxy.ProxyLog;
import dev.baton.proxy.ProxySettings;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Warm-up of a new backend, on the health checker's event loop: after its first passed health check,
 * {@code warmup_requests} sequential GETs of {@code warmup_path}, each on a connection of its own, before the
 * backend counts as ready. The answers' status is not judged and their bodies are read and dropped; a connection
 * failure or no complete answer within {@code response_timeout} fails the warm-up, which the health checker
 * treats as a failed check: the backend stays pending and is checked, and warmed up, again.
 */
final class Warmup {

    private final Transport transport;
    private final EventLoop loop;
    private final ProxyLog log;
    private final Map<Backend, String> lastFailure = new ConcurrentHashMap<>();

    Warmup(Transport transport, EventLoop loop, ProxyLog log) {
        this.transport = transport;
        this.loop = loop;
        this.log = log;
    }

    /** True when {@code b} passed a check but was never warmed up: it has yet to pass its first. */
    boolean needed(Backend b) {
        return b.settings().health().warmupPath().isPresent() && requests(b) > 0
                && b.state() == BackendState.PENDING;
    }

    /** Completes with null once every GET was answered, or with the reason the warm-up failed. */
    Promise<String> run(Backend b) {
        Promise<String> result = loop.newPromise();
        send(b, 1, System.nanoTime(), result);
        result.addListener(f -> report(b, (String) f.getNow()));
        return result;
    }

    /** Forgets backends that are gone. */
    void forgetRemoved() {
        lastFailure.keySet().removeIf(b -> b.state() == BackendState.REMOVED);
    }

    private void send(Backend b, int n, long started, Promise<String> result) {
        if (!b.state().checked()) {
            result.setSuccess("abandoned: the backend is " + b.state()); // draining or gone: no more requests
            return;
        }
        get(b).addListener((Future<String> f) -> {
            if (f.getNow() != null) {
                result.setSuccess("GET " + path(b) + " " + n + "/" + requests(b) + ": " + f.getNow());
            } else if (n < requests(b)) {
                send(b, n + 1, started, result);
            } else {
                log.info(describe(b) + " warmed up with " + n + " GET " + path(b) + " in "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
                result.setSuccess(null);
            }
        });
    }

    /** Logs a failure, but not the same one again and again while the backend is probed every 100 ms. */
    private void report(Backend b, String failure) {
        String previous = failure == null ? lastFailure.remove(b) : lastFailure.put(b, failure);
        if (failure != null && b.state().checked() && !Objects.equals(previous, failure)) {
            log.warn(describe(b) + " warm-up failed: " + failure);
        }
    }

    /** One GET on a connection of its own; completes with null when the whole answer was read. */
    private Promise<String> get(Backend b) {
        Promise<String> result = loop.newPromise();
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel(b.address()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) b.settings().timeouts().connect().toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new Discard(result));
                    }
                })
                .connect(b.address());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.trySuccess(Errors.describe(f.cause()));
                return;
            }
            connect.channel().writeAndFlush(Probe.request(path(b), "baton-warmup"));
            ScheduledFuture<?> deadline = loop.schedule(
                    () -> result.trySuccess("no answer within response_timeout"),
                    b.settings().timeouts().response().toMillis(), TimeUnit.MILLISECONDS);
            result.addListener(done -> deadline.cancel(false));
        });
        result.addListener(f -> connect.channel().close());
        return result;
    }

    private static String path(Backend b) {
        return b.settings().health().warmupPath().orElseThrow();
    }

    private static int requests(Backend b) {
        return b.settings().health().warmupRequests();
    }

    private static String describe(Backend b) {
        return b.label();
    }

    /** Reads the answer to its end and drops it. */
    private static final class Discard extends Probe.Reader {
        Discard(Promise<String> result) {
            super(result, "connection closed before the end of the answer");
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof LastHttpContent) {
                result.trySuccess(null);
            }
        }
    }
}
