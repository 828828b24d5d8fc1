package dev.baton.supervisor.control;

/** A plain answer: {@code POST /v1/shutdown} says {@code {"message": "shutting down"}}. */
public record Message(String message) {
}
