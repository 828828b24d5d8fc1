package dev.baton.supervisor.daemon;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.GroupConfig;
import dev.baton.conf.ProgramConfig;
import dev.baton.supervisor.Target;
import dev.baton.supervisor.control.TargetSelection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves TARGETs as an operator types them into {@link Target}s, against the configuration the daemon runs: its
 * programs (with their worker numbers and names) and its groups. One text, tried in this order:
 * <ol>
 *   <li>{@code all};</li>
 *   <li>a program: {@code web}, {@code web:*}, worker number {@code web:8}, or {@code web:web_08} (supervisorctl's
 *       GROUP:NAME with the program as its group);</li>
 *   <li>a group: {@code app} and {@code app:*} (its programs), {@code app:web} (a member program),
 *       {@code app:web_08} (a member's worker by name);</li>
 *   <li>a worker's name as {@code process_name} makes it: {@code web_08} (the default names {@code web:8} are
 *       programs' already).</li>
 * </ol>
 * Program names win over group names (the configuration never has both) and over worker names. A text that
 * selects nothing is an {@link IllegalArgumentException}: {@code no such program, group or worker: x}.
 */
final class TargetResolver {

    private final Map<String, ProgramConfig> programs = new LinkedHashMap<>();
    private final Map<String, GroupConfig> groups = new LinkedHashMap<>();
    /** Every worker's name, to its target, in start order. */
    private final Map<String, Target> names = new LinkedHashMap<>();

    /** @param programs the running programs' configurations; {@code groups} the groups last applied */
    TargetResolver(List<ProgramConfig> programs, List<GroupConfig> groups) {
        for (ProgramConfig p : programs) {
            this.programs.put(p.name(), p);
            for (int slot = 0; slot < p.numprocs(); slot++) {
                int number = p.workerNumber(slot);
                names.putIfAbsent(p.workerName(number), Target.worker(p.name(), number));
            }
        }
        groups.forEach(g -> this.groups.put(g.name(), g));
    }

    /** Resolves each text in order; the selection holds each target once. */
    TargetSelection resolve(List<String> texts) {
        Set<Target> targets = new LinkedHashSet<>();
        for (String text : texts) {
            targets.addAll(resolve(text));
        }
        if (targets.contains(Target.ALL)) {
            return new TargetSelection(List.of(Target.ALL), List.of());
        }
        Set<String> selected = new LinkedHashSet<>();
        for (Target t : targets) {
            ProgramConfig p = programs.get(t.program());
            if (t.isProgram()) {
                for (int slot = 0; slot < p.numprocs(); slot++) {
                    selected.add(p.workerName(p.workerNumber(slot)));
                }
            } else {
                selected.add(p.workerName(t.index()));
            }
        }
        return new TargetSelection(List.copyOf(targets), List.copyOf(selected));
    }

    /** What one text selects; never empty. */
    List<Target> resolve(String text) {
        Target.checkText(text);
        if (text.equals("all")) {
            return List.of(Target.ALL);
        }
        int colon = text.indexOf(':');
        String head = colon < 0 ? text : text.substring(0, colon);
        String tail = colon < 0 ? "*" : text.substring(colon + 1);
        ProgramConfig program = programs.get(head);
        if (program != null) {
            Optional<Target> found = tail.equals("*") ? Optional.of(Target.program(head)) : worker(program, tail);
            if (found.isPresent()) {
                return List.of(found.get());
            }
        } else if (groups.containsKey(head)) {
            List<Target> found = group(groups.get(head), tail);
            if (!found.isEmpty()) {
                return found;
            }
        }
        Target named = names.get(text);
        if (named != null) {
            return List.of(named);
        }
        if (program != null && isNumber(tail)) {
            throw new IllegalArgumentException("no such worker: " + text + " (" + head + " has workers "
                    + numbers(program) + ")");
        }
        throw new IllegalArgumentException("no such program, group or worker: " + text);
    }

    /** Worker {@code tail} of {@code program}: its number, or its name. */
    private Optional<Target> worker(ProgramConfig program, String tail) {
        if (isNumber(tail)) {
            int number = Integer.parseInt(tail);
            int first = program.workerNumber(0);
            if (number >= first && number < first + program.numprocs()) {
                return Optional.of(Target.worker(program.name(), number));
            }
        }
        Target named = names.get(tail);
        return named != null && named.program().equals(program.name()) ? Optional.of(named) : Optional.empty();
    }

    /** {@code app:*}: the group's running programs; {@code app:web}: a member; {@code app:web_08}: its worker. */
    private List<Target> group(GroupConfig group, String tail) {
        if (tail.equals("*")) {
            List<Target> members = group.programs().stream().filter(programs::containsKey).map(Target::program)
                    .toList();
            if (members.isEmpty()) {
                throw new IllegalArgumentException("group " + group.name() + ": none of its programs runs ("
                        + String.join(", ", group.programs()) + ")");
            }
            return members;
        }
        if (group.programs().contains(tail) && programs.containsKey(tail)) {
            return List.of(Target.program(tail));
        }
        Target named = names.get(tail);
        return named != null && group.programs().contains(named.program()) ? List.of(named) : List.of();
    }

    /**
     * The programs {@code baton reload} and {@code baton update} act on for these texts, in order, each once: a
     * program ({@code web}, {@code web:*}) of the file or running, a group's programs ({@code app}, {@code app:*};
     * the file's group, else the running one), a member program ({@code app:web}). A worker is refused.
     */
    List<String> programs(List<String> texts, BatonConfig file) {
        Set<String> selected = new LinkedHashSet<>();
        for (String text : texts) {
            Target.checkText(text);
            String name = text.endsWith(":*") ? text.substring(0, text.length() - 2) : text;
            int colon = name.indexOf(':');
            String head = colon < 0 ? name : name.substring(0, colon);
            String tail = colon < 0 ? null : name.substring(colon + 1);
            Optional<GroupConfig> group = file.group(head).or(() -> Optional.ofNullable(groups.get(head)));
            boolean isProgram = file.program(head).isPresent() || programs.containsKey(head);
            if (tail == null && isProgram) {
                selected.add(head);
            } else if (tail == null && group.isPresent()) {
                selected.addAll(group.get().programs());
            } else if (!isProgram && group.isPresent() && group.get().programs().contains(tail)) {
                selected.add(tail);
            } else if (workerOf(text).isPresent()) {
                throw new IllegalArgumentException(text + " is a worker: reload and update take programs and"
                        + " groups (reload " + workerOf(text).get() + ", or restart " + text + ")");
            } else {
                List<String> known = new ArrayList<>(file.programs().stream().map(ProgramConfig::name).toList());
                file.groups().forEach(g -> known.add(g.name()));
                throw new IllegalArgumentException("no such program or group: " + text + " (" + (known.isEmpty()
                        ? "none configured" : "known: " + String.join(", ", known)) + ")");
            }
        }
        return List.copyOf(selected);
    }

    /** The program of the worker {@code text} selects, if it selects one worker. */
    private Optional<String> workerOf(String text) {
        try {
            List<Target> targets = resolve(text);
            return targets.size() == 1 && targets.get(0).isWorker() ? Optional.of(targets.get(0).program())
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String numbers(ProgramConfig p) {
        int first = p.workerNumber(0);
        int last = p.workerNumber(p.numprocs() - 1);
        return first == last ? String.valueOf(first) : first + "-" + last;
    }

    private static boolean isNumber(String text) {
        return !text.isEmpty() && text.length() <= 9 && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
