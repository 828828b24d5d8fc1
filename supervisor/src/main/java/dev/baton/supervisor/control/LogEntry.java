package dev.baton.supervisor.control;

import java.util.Optional;

/**
 * One NDJSON line of {@code GET /v1/logs}: a worker's output line, or a notice from Baton itself.
 *
 * @param seq    position in the daemon's history, increasing; absent on a notice
 * @param time   when the daemon received the line, milliseconds since the epoch; absent on a notice
 * @param source the worker, program and number ({@code web:2}: what targets match), or {@code baton}
 * @param name   what to show for it, the worker's {@code process_name} ({@code web_02}), when it is not the source;
 *               absent otherwise (the default names, Baton's lines), so those lines are written as before
 * @param stream stdout or stderr
 * @param text   the line, without its newline
 */
public record LogEntry(Optional<Long> seq, Optional<Long> time, String source, Optional<String> name,
                       String stream, String text) {

    /** A line whose name is its source. */
    public LogEntry(Optional<Long> seq, Optional<Long> time, String source, String stream, String text) {
        this(seq, time, source, Optional.empty(), stream, text);
    }

    /** A line from Baton to the client that reads the logs. */
    public static LogEntry notice(String text) {
        return new LogEntry(Optional.empty(), Optional.empty(), "baton", "stderr", text);
    }

    /** The name to show: {@link #name}, or the source when there is none. */
    public String shown() {
        return name.orElse(source);
    }
}
