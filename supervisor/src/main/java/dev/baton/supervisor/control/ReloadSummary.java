package dev.baton.supervisor.control;

import dev.baton.supervisor.CanaryComparison;

import java.util.List;
import java.util.Optional;

/** The last line of a reload: how it ended for each program. */
public record ReloadSummary(List<ProgramReload> summary) implements ReloadLine {

    /**
     * How one program's reload ended.
     *
     * @param generation   the generation it serves now (the old one after a rollback)
     * @param outcome      reloaded, rolled_back, failed, scaled, added, removed or updated
     * @param ok           false when rolled back or failed
     * @param durationMs   from the start of the reload to its end
     * @param failedWorker the new worker that failed ({@code web:1}), or empty
     * @param lastLines    that worker's last output lines, oldest first
     * @param canary       a canary reload's comparison of the canary with the old workers, when one was watched
     */
    public record ProgramReload(String program, int generation, String outcome, boolean ok, String message,
                                long durationMs, String failedWorker, List<String> lastLines,
                                Optional<CanaryComparison> canary) {

        public ProgramReload(String program, int generation, String outcome, boolean ok, String message,
                             long durationMs, String failedWorker, List<String> lastLines) {
            this(program, generation, outcome, ok, message, durationMs, failedWorker, lastLines, Optional.empty());
        }
    }
}
