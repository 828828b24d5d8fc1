package dev.baton.supervisor.cli;

/** A user-facing failure: printed as one line {@code baton: MESSAGE}, then the command exits with {@code code}. */
public final class CliException extends RuntimeException {

    private final int code;

    public CliException(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
