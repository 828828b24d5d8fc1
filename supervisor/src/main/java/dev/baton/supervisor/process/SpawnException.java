package dev.baton.supervisor.process;

/** A child could not be started; the message is one line, e.g. {@code command not found: gunicorn}. */
public final class SpawnException extends Exception {

    public SpawnException(String message) {
        super(message);
    }
}
