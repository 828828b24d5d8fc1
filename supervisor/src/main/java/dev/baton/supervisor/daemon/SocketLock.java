package dev.baton.supervisor.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * {@code SOCKET.lock}, held by the daemon that serves a control socket for its whole life (the kernel releases it
 * when the process ends, however it ends): of two daemons started together on one configuration, exactly one gets
 * it. A daemon that takes over ({@code baton upgrade}) waits for it until the old daemon has exited.
 */
final class SocketLock {

    private final FileLock lock;

    private SocketLock(FileLock lock) {
        this.lock = lock;
    }

    /** The lock of {@code socket}, or empty when another process holds it. */
    static Optional<SocketLock> tryTake(Path socket) throws IOException {
        FileChannel channel = open(file(socket));
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            return Optional.empty();
        }
        return Optional.of(new SocketLock(lock));
    }

    /** The lock of {@code socket}, once the process holding it lets go or exits; blocks until then. */
    static SocketLock take(Path socket) throws IOException {
        return new SocketLock(open(file(socket)).lock());
    }

    static Path file(Path socket) {
        return socket.resolveSibling(socket.getFileName() + ".lock");
    }

    private static FileChannel open(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    /** Lets go; the kernel would at exit anyway. */
    void release() {
        try {
            lock.release();
            lock.channel().close();
        } catch (IOException ignored) {
            // released at exit
        }
    }
}
