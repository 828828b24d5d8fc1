package dev.baton.supervisor.log;

import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A size-rotated, append-only file. Thread-safe: each {@link #write} is one append under the instance lock, so
 * callers that write whole lines never see them interleave.
 *
 * <p>Rotation happens before a write that would push a non-empty file past {@code maxBytes}: {@code path.N-1}
 * becomes {@code path.N}, ..., {@code path} becomes {@code path.1}, keeping {@code backups} files; with no backups the
 * file is truncated instead. A single write larger than {@code maxBytes} still goes whole into the fresh file.
 * {@code maxBytes} 0 means never rotate. The size counts what this instance wrote plus the size found when it
 * opened the file; a copy-and-truncate done by someone else is noticed only at the next {@link #reopen}.
 *
 * <p>Writes go straight to the operating system (no buffer in this class), so nothing is lost if Baton dies.
 */
public final class RotatingFile implements Closeable {

    private static final byte[] NO_PREFIX = new byte[0];

    private final Path path;
    private final PrintStream err;

    // all guarded by this
    private long maxBytes;
    private int backups;
    private FileChannel channel; // null until the first write, after a failure, and after close
    private long size;
    private boolean failing;
    private boolean closed;

    /** Touches nothing on disk: the parent folders and the file are created by the first write. */
    public RotatingFile(Path path, long maxBytes, int backups) {
        this(path, maxBytes, backups, System.err);
    }

    /** For tests: failures are reported to {@code err}. */
    RotatingFile(Path path, long maxBytes, int backups, PrintStream err) {
        this.path = Objects.requireNonNull(path, "path");
        this.err = Objects.requireNonNull(err, "err");
        limits(maxBytes, backups);
    }

    /** The file's path, as given. */
    public Path path() {
        return path;
    }

    /** Changes the rotation limits; they apply from the next write. */
    synchronized void limits(long maxBytes, int backups) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException(path + ": maxBytes must be 0 or more, got " + maxBytes);
        }
        if (backups < 0) {
            throw new IllegalArgumentException(path + ": backups must be 0 or more, got " + backups);
        }
        this.maxBytes = maxBytes;
        this.backups = backups;
    }

    /**
     * Appends {@code bytes[offset, offset + length)}, rotating first if needed. Never throws for I/O: a failure is
     * reported once per failure episode (until a write succeeds again) and the data is dropped. After
     * {@link #close} writes are dropped silently.
     */
    public void write(byte[] bytes, int offset, int length) {
        write(NO_PREFIX, bytes, offset, length);
    }

    /**
     * Appends {@code prefix} then {@code bytes[offset, offset + length)} as one write (a line's time stamp and the
     * line), so they are never split by a rotation nor by another writer; otherwise as
     * {@link #write(byte[], int, int)}.
     */
    public synchronized void write(byte[] prefix, byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        long total = (long) prefix.length + length;
        if (closed || total == 0) {
            return;
        }
        try {
            if (channel == null) {
                open();
            }
            if (maxBytes > 0 && size > 0 && size + total > maxBytes) {
                rotate();
            }
            ByteBuffer[] buffers = {ByteBuffer.wrap(prefix), ByteBuffer.wrap(bytes, offset, length)};
            while (buffers[0].hasRemaining() || buffers[1].hasRemaining()) {
                size += channel.write(buffers);
            }
            failing = false;
        } catch (IOException e) {
            closeChannel();
            if (!failing) {
                failing = true;
                report("write failed", e);
            }
        }
    }

    /**
     * Opens the file now, unless it is open, without creating its folder: for a caller that must know at once
     * whether it can be written ({@code stdout_logfile}). Later writes and rotations go on as usual.
     */
    synchronized void openNow() throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        if (channel == null) {
            channel = FileChannel.open(path, CREATE, WRITE, APPEND);
            size = channel.size();
        }
    }

    /**
     * Closes the file and opens {@code path} again, for SIGUSR1 after an external logrotate moved it away. A file
     * not open yet (nothing written, or the last write failed) is opened by the next write as usual.
     */
    public synchronized void reopen() {
        if (closed || channel == null) {
            return;
        }
        closeChannel();
        try {
            open();
        } catch (IOException e) {
            closeChannel();
            if (!failing) {
                failing = true;
                report("reopen failed", e);
            }
        }
    }

    /** Closes the file; later writes are dropped. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        closeChannel();
    }

    private void open() throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        channel = FileChannel.open(path, CREATE, WRITE, APPEND);
        size = channel.size();
    }

    private void rotate() throws IOException {
        closeChannel();
        if (backups > 0) {
            for (int i = backups - 1; i >= 1; i--) {
                moveIfExists(backup(i), backup(i + 1));
            }
            moveIfExists(path, backup(1));
            open();
        } else {
            open();
            channel.truncate(0);
            size = 0;
        }
    }

    private Path backup(int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }

    private static void moveIfExists(Path from, Path to) throws IOException {
        if (Files.exists(from)) {
            Files.move(from, to, REPLACE_EXISTING);
        }
    }

    private void closeChannel() {
        FileChannel c = channel;
        channel = null;
        size = 0;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                report("close failed", e);
            }
        }
    }

    private void report(String what, IOException e) {
        err.println("baton: log file " + path + ": " + what + ": " + describe(e));
    }

    /** The cause in words: NIO's messages for common errors are only the file name. */
    static String describe(IOException e) {
        String kind = e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileAlreadyExistsException ? "file exists"
                : e instanceof NotDirectoryException ? "not a directory"
                : null;
        if (kind != null && ((FileSystemException) e).getReason() == null) {
            return kind + " (" + ((FileSystemException) e).getFile() + ")";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
