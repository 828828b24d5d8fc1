package dev.baton.supervisor.control;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A unix socket served at a path: bound under a temporary name, prepared (its mode), then renamed over the path,
 * so it is never reachable half-ready and a stale file (or an older daemon's, during {@code baton upgrade}) is
 * replaced atomically; on the way out it is removed only if it is still this one, not a newer daemon's.
 */
final class SocketFile {

    /** What is done to the bound socket file before it takes the path (its mode and group). */
    interface Preparation {
        void prepare(Path tmp) throws IOException;
    }

    private final Channel channel;
    private final Path path;
    private final Object fileKey;

    private SocketFile(Channel channel, Path path, Object fileKey) {
        this.channel = channel;
        this.path = path;
        this.fileKey = fileKey;
    }

    /** Binds {@code bootstrap} (group and handler set) at {@code path}; the temporary file never outlives a failure. */
    static SocketFile bind(ServerBootstrap bootstrap, Path path, Preparation preparation)
            throws IOException, InterruptedException {
        Path tmp = path.resolveSibling(path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Channel channel = bootstrap.channel(EpollServerDomainSocketChannel.class)
                    .bind(new DomainSocketAddress(tmp.toString())).sync().channel();
            preparation.prepare(tmp);
            Object key = fileKey(tmp);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new SocketFile(channel, path, key);
        } catch (IOException | RuntimeException | InterruptedException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    Channel channel() {
        return channel;
    }

    /** Removes the file at the path if it is the one this bound (another daemon may have renamed its own over it). */
    void removeIfOwn() {
        try {
            if (Objects.equals(fileKey(path), fileKey)) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // gone already, or nothing left to do on the way out
        }
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }
}
