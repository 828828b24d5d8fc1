package dev.baton.supervisor.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;

/**
 * The daemon's HTTP/1.1 JSON API on a unix domain socket ({@code curl --unix-socket S http://baton/v1/status}).
 *
 * <p>The socket is bound under a temporary name, given its mode (0600, or 0660 with a group) and then renamed
 * into place, so it is never reachable with looser permissions and a stale file is replaced atomically. Each
 * connection carries one request, answered or refused with JSON (see {@link ControlInitializer} for the limits).
 */
public final class ControlServer implements Closeable {

    /** {@code sun_path} holds 108 bytes including the terminating NUL. */
    public static final int MAX_SOCKET_PATH = 107;

    private final Path socket;
    private final EpollEventLoopGroup group;
    /** The socket file this server bound: another daemon may have renamed its own over the path since. */
    private final SocketFile file;

    private ControlServer(Path socket, EpollEventLoopGroup group, SocketFile file) {
        this.socket = socket;
        this.group = group;
        this.file = file;
    }

    public static ControlServer bind(Path socket, Optional<String> socketGroup, ControlApi api) throws IOException {
        return bind(socket, socketGroup, api, ControlInitializer.REQUEST_TIMEOUT);
    }

    /** {@link #bind(Path, Optional, ControlApi)} with another time for a client to send its request (tests). */
    static ControlServer bind(Path socket, Optional<String> socketGroup, ControlApi api, Duration requestTimeout)
            throws IOException {
        if (socket.toString().length() > MAX_SOCKET_PATH) {
            throw new IOException("socket path is too long (" + socket.toString().length() + " > "
                    + MAX_SOCKET_PATH + " bytes): " + socket);
        }
        Files.createDirectories(socket.toAbsolutePath().getParent());
        EpollEventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("baton-control", true));
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                    .childHandler(new ControlInitializer(api, requestTimeout));
            SocketFile file = SocketFile.bind(bootstrap, socket, tmp -> restrict(tmp, socketGroup));
            return new ControlServer(socket, group, file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully();
            throw new IOException("interrupted while binding " + socket);
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    private static void restrict(Path file, Optional<String> group) throws IOException {
        if (group.isEmpty()) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return;
        }
        GroupPrincipal principal;
        try {
            principal = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group.get());
        } catch (IOException e) {
            throw new IOException("socket_group: unknown group " + group.get());
        }
        Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(principal);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
    }

    public Path socket() {
        return socket;
    }

    /**
     * Stops serving and removes the socket file, unless it is another's now: the daemon that took over from this
     * one ({@code baton upgrade}) renamed its own socket over the path.
     */
    @Override
    public void close() {
        file.channel().close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        file.removeIfOwn();
    }
}
