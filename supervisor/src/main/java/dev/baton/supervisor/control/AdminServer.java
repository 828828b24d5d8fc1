package dev.baton.supervisor.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * The admin address ({@code [baton] metrics_listen}): plain HTTP that answers only what is safe to show over a
 * network, {@code GET /metrics}; the control endpoints stay on the control socket. A TCP address is bound with
 * {@code SO_REUSEPORT}, so the daemon an upgrade starts binds it while the old one still serves it; a unix
 * socket is bound under a temporary name and renamed over the path, like the control socket.
 */
public final class AdminServer implements Closeable {

    private final EpollEventLoopGroup group;
    private final Channel channel;

    private AdminServer(EpollEventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Serves {@code api}'s admin endpoints on {@code address}: an {@link java.net.InetSocketAddress} or a path. */
    public static AdminServer bind(SocketAddress address, ControlApi api) throws IOException {
        EpollEventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("baton-admin", true));
        try {
            ServerBootstrap b = new ServerBootstrap().group(group)
                    .childHandler(new ControlInitializer(api, ControlInitializer.REQUEST_TIMEOUT, true));
            Channel channel;
            if (address instanceof DomainSocketAddress unix) {
                Path path = Path.of(unix.path());
                Path tmp = path.resolveSibling(path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
                Files.deleteIfExists(tmp);
                channel = b.channel(EpollServerDomainSocketChannel.class)
                        .bind(new DomainSocketAddress(tmp.toString())).sync().channel();
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                channel = b.channel(EpollServerSocketChannel.class)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .option(EpollChannelOption.SO_REUSEPORT, true)
                        .bind(address).sync().channel();
            }
            return new AdminServer(group, channel);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully();
            throw new IOException("interrupted while binding " + address);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** Stops serving; a unix socket file is left to whoever bound the path last (an upgrade's new daemon). */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
