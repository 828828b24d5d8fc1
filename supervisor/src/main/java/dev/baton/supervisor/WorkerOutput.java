package dev.baton.supervisor;

import dev.baton.conf.ProgramConfig;
import dev.baton.supervisor.log.LineSink;
import dev.baton.supervisor.log.LogFormat;
import dev.baton.supervisor.log.LogLine;
import dev.baton.supervisor.log.LogStream;
import dev.baton.supervisor.log.RotatingFile;
import dev.baton.supervisor.process.ExitStatus;
import dev.baton.supervisor.process.ProcessListener;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The output side of one spawned process: its two streams turned into lines, written to the worker's log files
 * (each line after its time with {@code log_timestamps}), published to the log hub, echoed to Baton's stdout when
 * {@code log_to_stdout} is set. Called on launcher I/O threads; synchronized because the exit watcher flushes it
 * from another thread.
 */
final class WorkerOutput {

    private static final PrintStream STDOUT = System.out;

    private final LineSink stdout;
    private final LineSink stderr;
    /** Lines kept for "why did it fail" messages, such as a traceback. */
    static final int RECENT_LINES = 20;

    private volatile String lastLine = "";
    private final java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();

    WorkerOutput(String source, ProgramConfig config, int index, WorkerContext ctx) {
        Consumer<LogLine> echo = ctx.logToStdout() ? this::rememberAndEcho : this::remember;
        RotatingFile out = ctx.logFiles().file(config.name(), index, LogStream.STDOUT,
                config.stdoutLogfileMaxbytes(), config.stdoutLogfileBackups());
        RotatingFile err = config.redirectStderr() ? out : ctx.logFiles().file(config.name(), index,
                LogStream.STDERR, config.stderrLogfileMaxbytes(), config.stderrLogfileBackups());
        boolean stamp = ctx.logFiles().timestamps();
        stdout = new LineSink(source, LogStream.STDOUT, out, ctx.hub(), echo, stamp);
        stderr = new LineSink(source, LogStream.STDERR, err, ctx.hub(), echo, stamp);
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

    synchronized void close() {
        stdout.close();
        stderr.close();
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
