package dev.baton.supervisor.log;

import dev.baton.conf.LogDestination;
import dev.baton.conf.Placeholders;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The log files of all workers, one {@link RotatingFile} per path, as each stream's {@link LogDestination} says:
 * <ul>
 *   <li>{@code AUTO}: {@code log_dir/web-2.out.log} and {@code web-2.err.log}, named after the worker's number;
 *       the folder is created by the first write, and a file that cannot be written is reported, never fatal.
 *       Workers of different generations with the same program and number get the same instance; the limits
 *       given last apply (a reload may change them).</li>
 *   <li>{@code NONE}: no file at all; the lines still reach the hub (and Baton's stdout with
 *       {@code log_to_stdout}).</li>
 *   <li>{@code FILE}: the template expanded with {@code {program}}, {@code {worker}} (format spec allowed) and
 *       {@code {process_name}}. Its folder must exist, as with supervisord: {@link #acquire} opens the file at once
 *       and fails with a one-line reason otherwise. Workers, or a worker's two streams, whose paths expand alike
 *       share one instance, so their lines are serialized whole into one file; the size and backups of the first
 *       user win while the file is open.</li>
 * </ul>
 * Every {@link #acquire} is matched by a {@link #release}: a file nobody writes to any more is closed (after a
 * reload that moved a program's logs, the old path is let go). Thread-safe.
 */
public final class LogFiles implements Closeable {

    /** A file that cannot be opened for a worker; the message is one line ({@code cannot open log file ...}). */
    public static final class LogFileException extends Exception {
        public LogFileException(String message) {
            super(message);
        }
    }

    private static final class Open {
        final RotatingFile file;
        int users;

        Open(RotatingFile file) {
            this.file = file;
        }
    }

    private final Path logDir;
    private final boolean timestamps;
    private final Map<Path, Open> byPath = new HashMap<>(); // guarded by this
    private final Map<RotatingFile, Open> byFile = new IdentityHashMap<>(); // guarded by this
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
     * The {@code AUTO} file of one worker stream, created on first request and never released: for callers that
     * hold it until {@link #close}. The limits given last apply; files are never renamed or removed here.
     *
     * @throws IllegalArgumentException if the program name would put the file outside {@code log_dir}
     * @throws IllegalStateException    after {@link #close}
     */
    public synchronized RotatingFile file(String program, int number, LogStream stream, long maxBytes, int backups) {
        return use(autoPath(program, number, stream), maxBytes, backups, true);
    }

    /**
     * The file worker {@code number} of {@code program} (named {@code processName}) writes {@code stream} to, as
     * {@code destination} says; empty for {@code NONE}. Each file given must be {@link #release}d once.
     *
     * @throws LogFileException         a {@code FILE} whose folder does not exist or that cannot be opened
     * @throws IllegalArgumentException if the program name would put an {@code AUTO} file outside {@code log_dir}
     * @throws IllegalStateException    after {@link #close}
     */
    public synchronized Optional<RotatingFile> acquire(LogDestination destination, String program, int number,
                                                       String processName, LogStream stream, long maxBytes,
                                                       int backups) throws LogFileException {
        return switch (destination.kind()) {
            case NONE -> Optional.empty();
            case AUTO -> Optional.of(use(autoPath(program, number, stream), maxBytes, backups, true));
            case FILE -> Optional.of(openFile(filePath(destination, program, number, processName), maxBytes,
                    backups));
        };
    }

    /** Lets go of a file {@link #acquire} gave; the last user closes it. Unknown or already closed files: no-op. */
    public synchronized void release(RotatingFile file) {
        Open open = byFile.get(file);
        if (open == null || --open.users > 0) {
            return;
        }
        byFile.remove(file);
        byPath.remove(file.path());
        file.close();
    }

    /** The path a {@code FILE} destination gives worker {@code number} of {@code program}. */
    public static Path filePath(LogDestination destination, String program, int number, String processName) {
        if (destination.kind() != LogDestination.Kind.FILE) {
            throw new IllegalArgumentException("not a FILE destination: " + destination);
        }
        String expanded = Placeholders.expand(destination.template(),
                Map.of("program", program, "worker", number, "process_name", processName));
        return Path.of(expanded).toAbsolutePath().normalize();
    }

    /** Reopens every open file at its path: SIGUSR1 after an external logrotate. */
    public synchronized void reopenAll() {
        byFile.keySet().forEach(RotatingFile::reopen);
    }

    /** Closes every file; later writes to them are dropped. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        byFile.keySet().forEach(RotatingFile::close);
    }

    private RotatingFile openFile(Path path, long maxBytes, int backups) throws LogFileException {
        Open open = byPath.get(path);
        if (open != null) {
            return use(path, maxBytes, backups, false);
        }
        Path folder = path.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new LogFileException("cannot open log file " + path + ": "
                    + (folder != null && Files.exists(folder) ? "not a folder: " + folder : "no such folder"));
        }
        RotatingFile file = use(path, maxBytes, backups, false);
        try {
            file.openNow();
        } catch (IOException e) {
            release(file);
            throw new LogFileException("cannot open log file " + path + ": " + RotatingFile.describe(e));
        }
        return file;
    }

    /** The instance at {@code path}, one more user; {@code lastLimits}: the limits given apply to an open one. */
    private RotatingFile use(Path path, long maxBytes, int backups, boolean lastLimits) {
        if (closed) {
            throw new IllegalStateException("log files in " + logDir + " are closed");
        }
        Open open = byPath.get(path);
        if (open == null) {
            open = new Open(new RotatingFile(path, maxBytes, backups));
            byPath.put(path, open);
            byFile.put(open.file, open);
        } else if (lastLimits) {
            open.file.limits(maxBytes, backups);
        }
        open.users++;
        return open.file;
    }

    private Path autoPath(String program, int number, LogStream stream) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(stream, "stream");
        if (number < 0) {
            throw new IllegalArgumentException(program + ": worker number must be 0 or more, got " + number);
        }
        String suffix = stream == LogStream.STDOUT ? ".out.log" : ".err.log";
        Path path = logDir.resolve(program + "-" + number + suffix);
        if (program.isEmpty() || !logDir.equals(path.getParent())) {
            throw new IllegalArgumentException(program + ": not a valid program name for a log file in " + logDir);
        }
        return path.toAbsolutePath().normalize(); // as a FILE's: the same path is the same instance
    }
}
