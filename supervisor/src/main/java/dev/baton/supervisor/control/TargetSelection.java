package dev.baton.supervisor.control;

import dev.baton.supervisor.Target;

import java.util.List;

/**
 * What the TARGETs an operator typed select, resolved by the daemon against the configuration it runs
 * ({@code GET /v1/targets?target=T...}; every endpoint that takes targets resolves them the same way first).
 * Empty when no target was given; {@code [all]} when one was {@code all}.
 *
 * @param targets programs ({@code index} {@link Target#ANY}) and workers ({@code index} is the worker's number), in
 *                the order typed, without repeats: a group is its programs, a worker's name its worker
 * @param names   the names the selected workers have as {@code process_name} makes them ({@code web_08}), which
 *                their log lines carry as source
 */
public record TargetSelection(List<Target> targets, List<String> names) {

    public static final TargetSelection NONE = new TargetSelection(List.of(), List.of());

    public TargetSelection {
        targets = List.copyOf(targets);
        names = List.copyOf(names);
    }

    public boolean isEmpty() {
        return targets.isEmpty();
    }

    /** Does it select the worker {@code name}, number {@code number} of {@code program}? */
    public boolean matches(String program, int number, String name) {
        return targets.stream().anyMatch(t -> t.isAll() || t.program().equals(program)
                && (t.index() == Target.ANY || t.index() == number || names.contains(name)));
    }

    /** Does it select a log line from {@code source}? Nothing selected selects every line, Baton's own too. */
    public boolean matchesSource(String source) {
        return targets.isEmpty() || names.contains(source) || targets.stream().anyMatch(t -> t.matchesSource(source));
    }
}
