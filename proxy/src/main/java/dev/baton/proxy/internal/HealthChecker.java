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
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Active health checks of a program's backends, on one event loop, each with its own generation's settings. With
 * {@code health_check}, a GET of that path must answer 2xx or 3xx within {@code health_timeout}; without it, the
 * worker must accept a connection. A backend that has never passed is checked every 100 ms, so a new worker gets
 * traffic as soon as it answers; the others every {@code health_interval}. After a failed check of a backend that
 * gets (or is ready for) traffic, the next one starts at once, like HAProxy's {@code fastinter}: a worker that
 * stops answering (SIGSTOP, a deadlock) is ejected {@code health_fall} timeouts after its first failed check,
 * not {@code health_fall} intervals. With warm-up configured, a new backend's first passed check counts only once
 * its {@link Warmup} is done.
 */
final class HealthChecker {

    private static final long PENDING_INTERVAL_MILLIS = 100;

    private final Transport transport;
    private final EventLoop loop;
    private final Supplier<Iterable<Backend>> backends;
    /** Told when a check changed which backends are routable: the balancer's waiting requests may go elsewhere. */
    private final Runnable routingChanged;
    private final Warmup warmup;
    private final Map<Backend, Long> nextCheck = new ConcurrentHashMap<>();
    private final Map<Backend, Boolean> inFlight = new ConcurrentHashMap<>();
    private ScheduledFuture<?> tick;

    HealthChecker(Transport transport, EventLoop loop, Supplier<Iterable<Backend>> backends, Runnable routingChanged,
                  ProxyLog log) {
        this.transport = transport;
        this.loop = loop;
        this.backends = backends;
        this.routingChanged = routingChanged;
        this.warmup = new Warmup(transport, loop, log);
    }

    void start() {
        tick = loop.scheduleWithFixedDelay(this::tick, 0, PENDING_INTERVAL_MILLIS / 2, TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (tick != null) {
            tick.cancel(false);
        }
    }

    private void tick() {
        long now = System.nanoTime();
        for (Backend b : backends.get()) {
            if (!b.state().checked() || inFlight.containsKey(b)) {
                continue;
            }
            Long due = nextCheck.get(b);
            if (due != null && now < due) {
                continue;
            }
            long interval = b.state() == BackendState.PENDING ? PENDING_INTERVAL_MILLIS
                    : b.settings().health().interval().toMillis();
            nextCheck.put(b, now + TimeUnit.MILLISECONDS.toNanos(interval));
            inFlight.put(b, Boolean.TRUE);
            boolean[] silent = {false};
            check(b, silent).addListener(f -> {
                String failure = (String) f.getNow();
                if (failure == null && warmup.needed(b)) {
                    warmup.run(b).addListener(w -> checked(b, (String) w.getNow(), false));
                } else {
                    checked(b, failure, silent[0]);
                }
            });
        }
        nextCheck.keySet().removeIf(b -> b.state() == BackendState.REMOVED);
        warmup.forgetRemoved();
    }

    /**
     * A check (with its warm-up, if any) ended: {@code failure} null when it passed, else why it failed;
     * {@code silent} when the worker did not answer at all within {@code health_timeout}.
     */
    private void checked(Backend b, String failure, boolean silent) {
        inFlight.remove(b);
        if (failure == null) {
            boolean wasPending = b.state() == BackendState.PENDING;
            if (b.checkPassed()) {
                routingChanged.run();
            }
            if (wasPending && b.state() != BackendState.PENDING) {
                // its next check was planned at the pending pace: now one health_interval from its first pass
                nextCheck.put(b, System.nanoTime() + b.settings().health().interval().toNanos());
            }
        } else if (b.state() != BackendState.PENDING) {
            boolean routable = b.state().routable();
            boolean suspect = routable || b.state() == BackendState.READY;
            b.checkFailed(failure, silent);
            if (suspect) {
                nextCheck.put(b, System.nanoTime()); // fastinter: confirm or clear the doubt at once
            }
            if (routable && !b.state().routable()) {
                routingChanged.run(); // a request waiting for an ejected canary may take another worker now
            }
        }
    }

    /**
     * Completes with null when the check passed, or with the reason it failed; sets {@code silent[0]} when it
     * failed for want of any answer within {@code health_timeout}.
     */
    private Promise<String> check(Backend b, boolean[] silent) {
        Promise<String> result = loop.newPromise();
        ProxySettings.Health health = b.settings().health();
        long timeout = health.timeout().toMillis();
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(transport.clientChannel(b.address()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (health.path().isPresent()) {
                            ch.pipeline().addLast(new HttpClientCodec(), new StatusReader(result));
                        }
                    }
                })
                .connect(b.address());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.trySuccess(Errors.describe(f.cause()));
            } else if (health.path().isEmpty()) {
                result.trySuccess(null);
                connect.channel().close();
            } else {
                connect.channel().writeAndFlush(Probe.request(health.path().get(), "baton-health-check"));
            }
        });
        ScheduledFuture<?> deadline = loop.schedule(() -> {
            if (!result.isDone()) { // the check's loop: nothing completes it in between
                silent[0] = true; // before trySuccess, which runs the listeners that read it
                result.trySuccess("no answer within health_timeout");
            }
        }, timeout, TimeUnit.MILLISECONDS);
        result.addListener(f -> {
            deadline.cancel(false);
            connect.channel().close();
        });
        return result;
    }

    /** Completes the check with the response status. */
    private static final class StatusReader extends Probe.Reader {
        StatusReader(Promise<String> result) {
            super(result, "connection closed before an answer");
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse r) {
                int code = r.status().code();
                result.trySuccess(code >= 200 && code < 400 ? null : "health check answered " + code);
            }
        }
    }
}
