package dev.baton.supervisor.log;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The log files of all workers under {@code log_dir}, one {@link RotatingFile} per (program, index, stream):
 * {@code web-2.out.log} and {@code web-2.err.log}. Workers of different generations with the same program and index
 * get the same instance, so their lines are serialized whole into one file. Thread-safe.
 */
public final class LogFiles implements Closeable {

    private record Key(String program, int index, LogStream stream) {
    }

    private final Path logDir;
    private final boolean timestamps;
    private final Map<Key, RotatingFile> files = new HashMap<>(); // guarded by this
    private boolean closed; // guarded by this

    /** Files of the workers' bytes, no stamps; touches nothing on disk: the first write creates folders and files. */
    public LogFiles(Path logDir) {
        this(logDir, false);
    }

    /**
     * @param timestamps each line written to these files starts with its arrival time ({@code log_timestamps}):
     *                   see {@link #timestamps()}
     */
    public LogFiles(Path logDir, boolean timestamps) {
        this.logDir = Objects.requireNonNull(logDir, "logDir");
        this.timestamps = timestamps;
    }

    /** True when the lines written to these files start with their time; a {@link LineSink} writes the stamp. */
    public boolean timestamps() {
        return timestamps;
    }

    /**
     * The file of one worker stream, created on first request. The limits given last apply (a reload may change
     * them); files are never renamed or removed here.
     *
     * @throws IllegalArgumentException if the program name would put the file outside {@code log_dir}
     * @throws IllegalStateException    after {@link #close}
     */
    public synchronized RotatingFile file(String program, int index, LogStream stream, long maxBytes, int backups) {
        if (closed) {
            throw new IllegalStateException("log files in " + logDir + " are closed");
        }
        RotatingFile file = files.get(new Key(program, index, stream));
        if (file == null) {
            file = new RotatingFile(pathOf(program, index, stream), maxBytes, backups);
            files.put(new Key(program, index, stream), file);
        } else {
            file.limits(maxBytes, backups);
        }
        return file;
    }

    /** Reopens every open file at its path: SIGUSR1 after an external logrotate. */
    public synchronized void reopenAll() {
        files.values().forEach(RotatingFile::reopen);
    }

    /** Closes every file; later writes to them are dropped. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        files.values().forEach(RotatingFile::close);
    }

    private Path pathOf(String program, int index, LogStream stream) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(stream, "stream");
        if (index < 0) {
            throw new IllegalArgumentException(program + ": worker index must be 0 or more, got " + index);
        }
        String suffix = stream == LogStream.STDOUT ? ".out.log" : ".err.log";
        Path path = logDir.resolve(program + "-" + index + suffix);
        if (program.isEmpty() || !logDir.equals(path.getParent())) {
            throw new IllegalArgumentException(program + ": not a valid program name for a log file in " + logDir);
        }
        return path;
    }
}
