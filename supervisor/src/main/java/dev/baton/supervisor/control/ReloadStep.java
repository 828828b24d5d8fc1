package dev.baton.supervisor.control;

/**
 * One step of a reload, streamed as it happens.
 *
 * @param program    the program reloading
 * @param worker     the worker concerned ({@code web:2}), or empty for the program as a whole
 * @param generation the worker's generation (or the program's new one)
 * @param event      reloading, started, ready, switched, draining, stopping, stopped, failed, added, removed,
 *                   scaled or updated
 * @param message    the line shown to the operator: {@code web:2 [gen 3] ready after 1.2s}
 */
public record ReloadStep(String program, String worker, int generation, String event, String message)
        implements ReloadLine {
}
