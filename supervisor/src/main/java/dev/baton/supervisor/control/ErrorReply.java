package dev.baton.supervisor.control;

/**
 * Every refused or failed request, with a 4xx or 5xx status: {@code {"error": "no such program: x"}}. Also the
 * last line of a reload that broke down inside Baton.
 */
public record ErrorReply(String error) implements ReloadLine {
}
