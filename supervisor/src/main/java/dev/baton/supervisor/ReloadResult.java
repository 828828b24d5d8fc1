package dev.baton.supervisor;

import java.util.List;
import java.util.Optional;

/**
 * How the reload of one program ended.
 *
 * @param program        the program
 * @param generation     the generation it serves now (the new one after success, the old one after a rollback)
 * @param outcome        see {@link Outcome}
 * @param message        one line for the operator
 * @param durationMillis from the start of the reload to its end (old workers stopped, or new ones rolled back)
 * @param failedWorker   the new worker that failed, program and number ({@code web:1}), or empty
 * @param lastLines      that worker's last output lines, oldest first: the traceback of a broken deploy
 * @param canary         a canary reload's comparison of the canary with the old workers, when one was watched
 */
public record ReloadResult(String program, int generation, Outcome outcome, String message, long durationMillis,
                           String failedWorker, List<String> lastLines, Optional<CanaryComparison> canary) {

    public ReloadResult(String program, int generation, Outcome outcome, String message, long durationMillis,
                        String failedWorker, List<String> lastLines) {
        this(program, generation, outcome, message, durationMillis, failedWorker, lastLines, Optional.empty());
    }

    /** The ways a program's reload ends. */
    public enum Outcome {
        /** Every worker now runs the new generation; the old ones have stopped. */
        RELOADED,
        /** A new worker failed before the switch: new workers stopped, the old generation serves untouched. */
        ROLLED_BACK,
        /** A new worker failed after earlier batches had switched ({@code rolling}), or with {@code restart}. */
        FAILED,
        /** Only {@code numprocs} changed: workers were added or retired, the others left running. */
        SCALED,
        /** A program new in the configuration was started. */
        ADDED,
        /** A program gone from the configuration was stopped. */
        REMOVED,
        /** Nothing runs (autostart off, never started): the new generation applies at the next start. */
        UPDATED;

        public boolean failed() {
            return this == ROLLED_BACK || this == FAILED;
        }
    }

    public ReloadResult {
        lastLines = List.copyOf(lastLines);
    }

    static ReloadResult of(String program, int generation, Outcome outcome, String message) {
        return new ReloadResult(program, generation, outcome, message, 0, "", List.of());
    }
}
