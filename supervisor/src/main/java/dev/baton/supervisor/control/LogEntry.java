package dev.baton.supervisor.control;

import java.util.Optional;

/**
 * One NDJSON line of {@code GET /v1/logs}: a worker's output line, or a notice from Baton itself.
 *
 * @param seq    position in the daemon's history, increasing; absent on a notice
 * @param time   when the daemon received the line, milliseconds since the epoch; absent on a notice
 * @param source the worker ({@code web:2}), or {@code baton}
 * @param stream stdout or stderr
 * @param text   the line, without its newline
 */
public record LogEntry(Optional<Long> seq, Optional<Long> time, String source, String stream, String text) {

    /** A line from Baton to the client that reads the logs. */
    public static LogEntry notice(String text) {
        return new LogEntry(Optional.empty(), Optional.empty(), "baton", "stderr", text);
    }
}
