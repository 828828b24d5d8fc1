package dev.baton.conf.supervisord;

/**
 * A supervisord configuration that cannot be imported: a missing or unreadable file, a syntax error, a bad
 * {@code %(name)s} expansion, or an option supervisord itself would reject. The message is one line, context first:
 * {@code /etc/supervisor/conf.d/web.conf:4: [program:web] numprocs: ...}.
 */
public final class ImportException extends Exception {

    public ImportException(String message) {
        super(message);
    }
}
