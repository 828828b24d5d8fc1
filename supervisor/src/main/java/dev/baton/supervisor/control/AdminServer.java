package dev.baton.supervisor.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The admin address ({@code [baton] metrics_listen}): plain HTTP that answers only what is safe to show over a
 * network, {@code GET /metrics} and the load balancer probes {@code GET /ready} and {@code GET /live}; the control
 * endpoints stay on the control socket. A TCP address is bound with {@code SO_REUSEPORT}, so the daemon an upgrade
 * starts binds it (once its workers are ready) while the old one still serves it, and both answer until the old
 * one exits (the old one's {@code /ready} stays 200 while it drains: the host never leaves the pool); a unix
 * socket is a {@link SocketFile}, like the control socket: renamed over the path, removed on close if still ours.
 */
public final class AdminServer implements Closeable {

    private final EpollEventLoopGroup group;
    private final Channel channel;
    /** The unix socket's file; null for TCP. */
    private final SocketFile file;

    private AdminServer(EpollEventLoopGroup group, Channel channel, SocketFile file) {
        this.group = group;
        this.channel = channel;
        this.file = file;
    }

    /** Serves {@code api}'s admin endpoints on {@code address}: an {@link java.net.InetSocketAddress} or a path. */
    public static AdminServer bind(SocketAddress address, ControlApi api) throws IOException {
        EpollEventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("baton-admin", true));
        try {
            ServerBootstrap b = new ServerBootstrap().group(group)
                    .childHandler(new ControlInitializer(api, ControlInitializer.REQUEST_TIMEOUT, true));
            if (address instanceof DomainSocketAddress unix) {
                SocketFile file = SocketFile.bind(b, Path.of(unix.path()), tmp -> { });
                return new AdminServer(group, file.channel(), file);
            }
            Channel channel = b.channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(EpollChannelOption.SO_REUSEPORT, true)
                    .bind(address).sync().channel();
            return new AdminServer(group, channel, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully();
            throw new IOException("interrupted while binding " + address);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** Stops serving; a unix socket file goes too, unless another daemon (an upgrade's) renamed its own over it. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        if (file != null) {
            file.removeIfOwn();
        }
    }
}
