package dev.baton.supervisor.control;

import java.util.Optional;

/**
 * The answer to {@code POST /v1/shutdown}: {@code {"message": "shutting down", "pid": 1234}}; {@code pid} is the
 * daemon's, so that the CLI can wait for the process itself to end. With a {@code shutdown_delay}, the first request
 * has {@code "delay_ms"}: Baton leaves the pool and serves on that long first, which {@code message} says.
 */
public record Message(String message, int pid, Optional<Long> delayMs) {

    public Message(String message, int pid) {
        this(message, pid, Optional.empty());
    }
}
