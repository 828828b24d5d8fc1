package dev.baton.conf.internal;

import dev.baton.conf.GroupConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tomlj.TomlArray;

/**
 * Reads the {@code [group.NAME]} tables. A group is read in two steps: its own table first ({@link #read}), then,
 * once every file is read, against the programs of the whole configuration ({@link #check}).
 */
public final class GroupReader {

    /** Every key {@code [group.NAME]} accepts. */
    public static final List<String> KEYS = List.of("programs", "priority");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** A group as read from its table, with where it was written for the later checks. */
    public record Draft(GroupConfig config, Section section, TomlArray programs) {
    }

    private GroupReader() {
    }

    /** Reads one {@code [group.NAME]} table: the names of its programs, unchecked yet, and its priority. */
    public static Draft read(Section group, String name) {
        if (!NAME.matcher(name).matches()) {
            group.errorAtHeader("invalid group name, use only letters, digits, \"_\", \"-\" and \".\"");
        }
        group.rejectUnknownKeys(KEYS, Map.of());
        int priority = group.integer("priority", 999, Integer.MIN_VALUE);
        Object value = group.get("programs");
        List<String> programs = new ArrayList<>();
        TomlArray array = null;
        if (value == null) {
            group.errorAtHeader("missing required key \"programs\"");
        } else if (!(value instanceof TomlArray a)) {
            group.typeError("programs", "an array of program names");
        } else {
            array = a;
            if (array.isEmpty()) {
                group.error("programs", "must list at least one program");
            }
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i) instanceof String program) {
                    programs.add(program);
                } else {
                    group.errorAtElement("programs", array, i,
                            "expected a program name, found " + Section.typeName(array.get(i)));
                }
            }
        }
        return new Draft(new GroupConfig(name, programs, priority), group, array);
    }

    /**
     * Checks every group against the programs of the configuration: each member exists and is in no other
     * group, listed once; no group has a program's name. Returns the groups in name order, each with only
     * its valid members.
     */
    public static List<GroupConfig> check(List<Draft> drafts, Collection<String> programs) {
        Map<String, String> groupOf = new HashMap<>();
        List<GroupConfig> groups = new ArrayList<>();
        for (Draft draft : drafts) {
            GroupConfig group = draft.config();
            if (programs.contains(group.name())) {
                draft.section().errorAtHeader("a program has this name too: a group needs a name of its own, as"
                        + " both are targets");
            }
            List<String> members = new ArrayList<>();
            TomlArray array = draft.programs();
            for (int i = 0; array != null && i < array.size(); i++) {
                if (!(array.get(i) instanceof String program)) {
                    continue;
                }
                String problem = null;
                if (members.contains(program)) {
                    problem = "\"" + program + "\" is listed twice";
                } else if (!programs.contains(program)) {
                    problem = "no program \"" + program + "\" in the configuration"
                            + KeyHints.closest(program, programs).map(p -> ", did you mean \"" + p + "\"?")
                                    .orElse("");
                } else if (groupOf.containsKey(program)) {
                    problem = "\"" + program + "\" is already in " + groupOf.get(program)
                            + ": a program belongs to one group at most";
                }
                if (problem != null) {
                    draft.section().errorAtElement("programs", array, i, problem);
                } else {
                    members.add(program);
                    groupOf.put(program, draft.section().keyPath());
                }
            }
            groups.add(new GroupConfig(group.name(), members, group.priority()));
        }
        groups.sort((a, b) -> a.name().compareTo(b.name()));
        return groups;
    }
}
