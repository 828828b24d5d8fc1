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
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The admin address ({@code [baton] metrics_listen}): plain HTTP that answers only what is safe to show over a
 * network, {@code GET /metrics}; the control endpoints stay on the control socket. A TCP address is bound with
 * {@code SO_REUSEPORT}, so the daemon an upgrade starts binds it while the old one still serves it; a unix
 * socket is bound under a temporary name and renamed over the path, like the control socket, and removed on close
 * if it is still this server's.
 */
public final class AdminServer implements Closeable {

    private final EpollEventLoopGroup group;
    private final Channel channel;
    /** A unix socket's path and the file this server bound there; null for TCP. */
    private final Path path;
    private final Object fileKey;

    private AdminServer(EpollEventLoopGroup group, Channel channel, Path path, Object fileKey) {
        this.group = group;
        this.channel = channel;
        this.path = path;
        this.fileKey = fileKey;
    }

    /** Serves {@code api}'s admin endpoints on {@code address}: an {@link java.net.InetSocketAddress} or a path. */
    public static AdminServer bind(SocketAddress address, ControlApi api) throws IOException {
        EpollEventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("baton-admin", true));
        try {
            ServerBootstrap b = new ServerBootstrap().group(group)
                    .childHandler(new ControlInitializer(api, ControlInitializer.REQUEST_TIMEOUT, true));
            if (address instanceof DomainSocketAddress unix) {
                Path path = Path.of(unix.path());
                Path tmp = path.resolveSibling(path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
                Files.deleteIfExists(tmp);
                Channel channel = b.channel(EpollServerDomainSocketChannel.class)
                        .bind(new DomainSocketAddress(tmp.toString())).sync().channel();
                Object key = fileKey(tmp);
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return new AdminServer(group, channel, path, key);
            }
            Channel channel = b.channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(EpollChannelOption.SO_REUSEPORT, true)
                    .bind(address).sync().channel();
            return new AdminServer(group, channel, null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully();
            throw new IOException("interrupted while binding " + address);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** Stops serving, and removes a unix socket file unless another daemon (an upgrade's) renamed its own over it. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        if (path != null) {
            try {
                if (Objects.equals(fileKey(path), fileKey)) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException ignored) {
                // gone already
            }
        }
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }
}
