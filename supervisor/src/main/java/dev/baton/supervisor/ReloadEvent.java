package dev.baton.supervisor;

/**
 * One step of a reload, as {@code baton reload} shows it while it happens.
 *
 * @param program    the program reloading
 * @param worker     the worker concerned ({@code web:2}), or empty for the program as a whole
 * @param generation the worker's generation (or the program's new one)
 * @param event      what happened: started, ready, switched, draining, stopped, failed, scaled, added, removed
 * @param message    the line shown to the operator, context first: {@code web:2 [gen 3] ready after 1.2s}
 */
public record ReloadEvent(String program, String worker, int generation, String event, String message) {
}
