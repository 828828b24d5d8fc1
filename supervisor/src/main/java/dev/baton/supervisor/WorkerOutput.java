package dev.baton.supervisor;

import dev.baton.conf.ProgramConfig;
import dev.baton.supervisor.log.LineSink;
import dev.baton.supervisor.log.LogFiles;
import dev.baton.supervisor.log.LogFiles.LogFileException;
import dev.baton.supervisor.log.LogFormat;
import dev.baton.supervisor.log.LogLine;
import dev.baton.supervisor.log.LogStream;
import dev.baton.supervisor.log.RotatingFile;
import dev.baton.supervisor.process.ExitStatus;
import dev.baton.supervisor.process.ProcessListener;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The output side of one spawned process: its two streams turned into lines, written to the worker's log files
 * as its {@code stdout_logfile} and {@code stderr_logfile} say (each line after its time with
 * {@code log_timestamps}), published to the log hub, echoed to Baton's stdout when
 * {@code log_to_stdout} is set. Called on launcher I/O threads; synchronized because the exit watcher flushes it
 * from another thread.
 */
final class WorkerOutput {

    private static final PrintStream STDOUT = System.out;

    private final LineSink stdout;
    private final LineSink stderr;
    private final LogFiles files;
    /** The files this output holds (one, two, or none), released once at {@link #close}. */
    private final List<RotatingFile> held = new ArrayList<>(2);
    /** Lines kept for "why did it fail" messages, such as a traceback. */
    static final int RECENT_LINES = 20;

    private volatile String lastLine = "";
    private final java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();
    private boolean released;

    /**
     * The output of worker {@code number} of {@code config}, its lines published as {@code source} ({@code web:8})
     * and shown as {@code name} ({@code process_name}).
     *
     * @throws LogFileException when a configured log file cannot be opened (the worker must not start)
     */
    WorkerOutput(String source, String name, ProgramConfig config, int number, WorkerContext ctx)
            throws LogFileException {
        Consumer<LogLine> echo = ctx.logToStdout() ? this::rememberAndEcho : this::remember;
        files = ctx.logFiles();
        RotatingFile out = hold(files.acquire(config.stdoutLogfile(), config.name(), number, name,
                LogStream.STDOUT, config.stdoutLogfileMaxbytes(), config.stdoutLogfileBackups()));
        RotatingFile err;
        try {
            err = config.redirectStderr() ? out : hold(files.acquire(config.stderrLogfile(), config.name(), number,
                    name, LogStream.STDERR, config.stderrLogfileMaxbytes(), config.stderrLogfileBackups()));
        } catch (LogFileException | RuntimeException e) {
            release();
            throw e;
        }
        boolean stamp = files.timestamps();
        stdout = new LineSink(source, name, LogStream.STDOUT, out, ctx.hub(), echo, stamp);
        stderr = new LineSink(source, name, LogStream.STDERR, err, ctx.hub(), echo, stamp);
    }

    private RotatingFile hold(Optional<RotatingFile> file) {
        file.ifPresent(held::add);
        return file.orElse(null);
    }

    /** What the launcher tells of the process: its output comes here, its exit goes to {@code exited}. */
    ProcessListener listener(Consumer<ExitStatus> exited) {
        return new ProcessListener() {
            @Override
            public void onStdout(ByteBuffer chunk) {
                stdout(chunk);
            }

            @Override
            public void onStderr(ByteBuffer chunk) {
                stderr(chunk);
            }

            @Override
            public void onExit(ExitStatus status) {
                close();
                exited.accept(status);
            }
        };
    }

    synchronized void stdout(ByteBuffer chunk) {
        stdout.accept(chunk);
    }

    synchronized void stderr(ByteBuffer chunk) {
        stderr.accept(chunk);
    }

    /** Ends the pending lines and lets go of the files (closed once no other worker writes to them). Idempotent. */
    synchronized void close() {
        stdout.close();
        stderr.close();
        release();
    }

    private void release() {
        if (!released) {
            released = true;
            held.forEach(files::release);
        }
    }

    /** The last line the process printed on either stream, for "why did it fail" messages. */
    String lastLine() {
        return lastLine;
    }

    /** The last {@link #RECENT_LINES} lines the process printed on either stream, oldest first. */
    java.util.List<String> recentLines() {
        synchronized (recent) {
            return java.util.List.copyOf(recent);
        }
    }

    private void remember(LogLine line) {
        if (!line.text().isBlank()) {
            lastLine = line.text();
        }
        synchronized (recent) {
            if (recent.size() == RECENT_LINES) {
                recent.removeFirst();
            }
            recent.addLast(line.text());
        }
    }

    private void rememberAndEcho(LogLine line) {
        remember(line);
        synchronized (STDOUT) {
            STDOUT.println(LogFormat.plain(line));
        }
    }
}
