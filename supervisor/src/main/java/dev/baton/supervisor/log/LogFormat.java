package dev.baton.supervisor.log;

/** Formats worker lines for humans. Colour, if any, is the CLI's business. */
public final class LogFormat {

    /** Between the source and the text: {@code web:2 | text}. */
    public static final String SEPARATOR = " | ";

    private LogFormat() {
    }

    /** {@code web:2 | text}; stdout and stderr lines look the same. */
    public static String plain(LogLine l) {
        return l.source() + SEPARATOR + l.text();
    }
}
