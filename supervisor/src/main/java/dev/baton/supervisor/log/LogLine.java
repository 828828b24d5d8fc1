package dev.baton.supervisor.log;

import java.util.Objects;

/**
 * One line of worker output.
 *
 * @param seq        position in the hub's history, strictly increasing across all workers
 * @param timeMillis when the line arrived (its worker ended it), milliseconds since the epoch
 * @param source     the worker, program name + ':' + worker number, e.g. {@code web:2}: what targets match
 * @param name       the worker's name to show ({@code process_name}): {@code web:2} by default, {@code web_02}...;
 *                   the source for Baton's own lines
 * @param stream     the worker's stream the line came from
 * @param text       decoded UTF-8 with invalid bytes replaced by U+FFFD, no trailing newline
 */
public record LogLine(long seq, long timeMillis, String source, String name, LogStream stream, String text) {

    public LogLine {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(text, "text");
    }

    /** A line whose name is its source ({@code web:2}, {@code baton}). */
    public LogLine(long seq, long timeMillis, String source, LogStream stream, String text) {
        this(seq, timeMillis, source, source, stream, text);
    }
}
