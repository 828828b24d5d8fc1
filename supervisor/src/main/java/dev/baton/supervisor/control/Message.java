package dev.baton.supervisor.control;

/**
 * The answer to {@code POST /v1/shutdown}: {@code {"message": "shutting down", "pid": 1234}}; {@code pid} is the
 * daemon's, so that the CLI can wait for the process itself to end.
 */
public record Message(String message, int pid) {
}
