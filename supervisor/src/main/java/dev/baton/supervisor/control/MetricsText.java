package dev.baton.supervisor.control;

/** A scrape's answer: the exposition's bytes and their {@code Content-Type}. */
public record MetricsText(String contentType, byte[] bytes) {
}
