package dev.baton.proxy.internal;

import dev.baton.proxy.BackendListener;
import dev.baton.proxy.BackendView;
import dev.baton.proxy.ProgramStats;
import dev.baton.proxy.ProxiedProgram;
import dev.baton.proxy.ProxyLog;
import dev.baton.proxy.ProxySettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpRequest;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One program behind the proxy: its listening sockets, its backends, balancer, worker connections and health
 * checks. The supervisor's view arrives through {@link #publish}; the request path reads the backends through
 * the balancer only.
 */
public final class ProgramProxy implements ProxiedProgram {

    private final ProxySettings settings;
    private final ProxyLog log;
    private final BackendListener listener;
    private final Balancer balancer;
    private final Upstream upstream;
    private final TrustedProxies trusted;
    private final HealthChecker health;
    private final List<Channel> listeners = new ArrayList<>();
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private volatile boolean closed;
    private final Map<String, Backend> backends = new LinkedHashMap<>();

    private ProgramProxy(ProxySettings settings, Transport transport, EventLoopGroup group, ProxyLog log,
                         BackendListener listener) {
        this.settings = settings;
        this.log = log;
        this.listener = listener;
        this.balancer = new Balancer(settings.limits().maxInflight(), settings.limits().maxQueue(),
                settings.timeouts().queue().toMillis());
        this.upstream = new Upstream(transport, (int) settings.timeouts().connect().toMillis(),
                settings.timeouts().upstreamKeepalive().toMillis());
        this.trusted = TrustedProxies.parse(settings.trustedProxies());
        this.health = new HealthChecker(settings, transport, group.next(), balancer::backends, balancer::wake, log);
    }

    public static ProgramProxy bind(ProxySettings settings, Transport transport, EventLoopGroup group, ProxyLog log,
                                    BackendListener listener) throws IOException {
        ProgramProxy program = new ProgramProxy(settings, transport, group, log, listener);
        try {
            for (SocketAddress address : settings.listen()) {
                program.listeners.add(program.listen(address, transport, group));
            }
        } catch (IOException | RuntimeException e) {
            program.close();
            throw e;
        }
        program.health.start();
        return program;
    }

    private Channel listen(SocketAddress address, Transport transport, EventLoopGroup group) throws IOException {
        if (address instanceof DomainSocketAddress unix) {
            Files.deleteIfExists(Path.of(unix.path()));
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel(address))
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 << 10, 64 << 10))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (closed) {
                            ch.close();
                            return;
                        }
                        clients.add(ch);
                        ch.pipeline().addLast("guard", new RequestGuard(settings.limits().maxHeaderSize()));
                        ch.pipeline().addLast("http", RequestChecks.serverCodec(settings.limits().maxHeaderSize()));
                        ch.pipeline().addLast("timeouts", new HeaderTimeoutHandler(
                                settings.timeouts().header().toMillis(), settings.timeouts().keepalive().toMillis()));
                        ch.pipeline().addLast("proxy", new FrontendHandler(ProgramProxy.this));
                    }
                });
        if (!(address instanceof DomainSocketAddress)) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, true);
        }
        try {
            Channel channel = bootstrap.bind(address).sync().channel();
            log.info(settings.name() + ": listening on " + Transport.describe(address));
            return channel;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + Transport.describe(address));
        } catch (Exception e) {
            throw new IOException("cannot listen on " + Transport.describe(address) + ": " + Errors.describe(e));
        }
    }

    @Override
    public synchronized void publish(List<BackendView> views) {
        Map<String, Backend> next = new LinkedHashMap<>();
        for (BackendView view : views) {
            Backend b = backends.get(view.key());
            if (b == null || !b.address().equals(view.address())) {
                if (b != null) {
                    b.transitionTo(BackendState.REMOVED, "address changed");
                }
                b = new Backend(view, settings.name(), log, listener);
            }
            b.role(view.role());
            next.put(view.key(), b);
        }
        for (Map.Entry<String, Backend> e : backends.entrySet()) {
            if (!next.containsKey(e.getKey())) {
                e.getValue().transitionTo(BackendState.REMOVED, "worker gone");
            }
        }
        backends.clear();
        backends.putAll(next);
        balancer.backends(new ArrayList<>(next.values()));
        // after the balancer's lock: a request picked before the switch to DRAINING holds its slot by now
        next.values().forEach(Backend::maybeDrained);
    }

    @Override
    public ProgramStats stats() {
        List<String> listen = settings.listen().stream().map(Transport::describe).toList();
        return new ProgramStats(settings.name(), listen, balancer.queued(), balancer.stats());
    }

    /**
     * Stops listening; client connections close once their current response is done (idle ones at once), so a
     * keep-alive client never stays attached to a program that is no longer served.
     */
    @Override
    public void close() {
        closed = true;
        health.stop();
        for (Channel ch : listeners) {
            ch.close().awaitUninterruptibly();
            if (ch.localAddress() instanceof DomainSocketAddress unix) {
                try {
                    Files.deleteIfExists(Path.of(unix.path()));
                } catch (IOException ignored) {
                    // best effort on the way out
                }
            }
        }
        for (Channel ch : clients) {
            FrontendHandler frontend = ch.pipeline().get(FrontendHandler.class);
            if (frontend == null) {
                ch.close();
            } else {
                ch.eventLoop().execute(frontend::closeWhenIdle);
            }
        }
        publish(List.of());
    }

    ProxySettings settings() {
        return settings;
    }

    String name() {
        return settings.name();
    }

    ProxyLog log() {
        return log;
    }

    Balancer balancer() {
        return balancer;
    }

    Upstream upstream() {
        return upstream;
    }

    TrustedProxies trustedProxies() {
        return trusted;
    }

    void accessLog(SocketAddress client, HttpRequest request, int status, long bytes, String worker,
                   long durationMillis) {
        if (!log.logsAccess(settings.name())) {
            return;
        }
        String remote = client instanceof java.net.InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : Transport.describe(client);
        AccessRecord record = new AccessRecord(remote, System.currentTimeMillis(),
                request.method().name(), request.uri(), request.protocolVersion().text(), status, bytes,
                request.headers().get("Referer"), request.headers().get("User-Agent"), settings.name(), worker,
                durationMillis);
        log.access(settings.name(), settings.accessLogJson() ? AccessLogFormat.json(record)
                : AccessLogFormat.combined(record));
    }
}
