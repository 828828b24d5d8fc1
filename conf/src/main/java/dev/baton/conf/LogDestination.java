package dev.baton.conf;

/**
 * Where a worker's stdout or stderr is written ({@code stdout_logfile}, {@code stderr_logfile}).
 *
 * @param kind     {@link Kind#AUTO} (the default layout under {@code [baton] log_dir}), {@link Kind#NONE}
 *                 (discarded: only {@code baton logs} sees the lines, from memory) or {@link Kind#FILE}
 * @param template for {@link Kind#FILE}: an absolute path, with the placeholders {@code {program}},
 *                 {@code {worker}} (format spec allowed) and {@code {process_name}}; workers whose paths expand
 *                 alike share one file, line by line; empty otherwise
 */
public record LogDestination(Kind kind, String template) {

    public enum Kind { AUTO, NONE, FILE }

    public static final LogDestination AUTO = new LogDestination(Kind.AUTO, "");

    public static final LogDestination NONE = new LogDestination(Kind.NONE, "");

    public LogDestination {
        if ((kind == Kind.FILE) == template.isEmpty()) {
            throw new IllegalArgumentException("a FILE destination has a path template, the others none");
        }
    }

    public static LogDestination file(String template) {
        return new LogDestination(Kind.FILE, template);
    }
}
