package dev.baton.supervisor.log;

/** Formats worker lines for humans. Colour, if any, is the CLI's business. */
public final class LogFormat {

    /** Between the worker's name and the text: {@code web:2 | text}. */
    public static final String SEPARATOR = " | ";

    private LogFormat() {
    }

    /** {@code web:2 | text}, the worker's name ({@code process_name}) first; stdout and stderr look the same. */
    public static String plain(LogLine l) {
        return l.name() + SEPARATOR + l.text();
    }
}
