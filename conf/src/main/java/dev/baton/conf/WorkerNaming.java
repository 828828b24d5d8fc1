package dev.baton.conf;

import java.util.Map;

/**
 * How a program's workers are numbered and named.
 *
 * @param numprocsStart the first worker's number; workers are numbered {@code numprocsStart} to
 *                      {@code numprocsStart + numprocs - 1}; key {@code numprocs_start}, default 0
 * @param processName   the template of each worker's name, shown by {@code status} and {@code logs} and accepted as
 *                      a target; placeholders {@code {program}} and {@code {worker}} (with a format spec such as
 *                      {@code {worker:02}}); key {@code process_name}, default {@code "{program}:{worker}"}
 */
public record WorkerNaming(int numprocsStart, String processName) {

    public static final String DEFAULT_PROCESS_NAME = "{program}:{worker}";

    public static final WorkerNaming DEFAULTS = new WorkerNaming(0, DEFAULT_PROCESS_NAME);

    /** The name of worker {@code number} of program {@code program}, e.g. {@code web:2} or {@code web_02}. */
    public String name(String program, int number) {
        return Placeholders.expand(processName, Map.of("program", program, "worker", number));
    }

    /** True when the names are the default {@code PROGRAM:N}. */
    public boolean isDefaultName() {
        return processName.equals(DEFAULT_PROCESS_NAME);
    }
}
