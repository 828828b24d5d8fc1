package dev.baton.conf.supervisord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code [group:x]} sections: {@code programs = a,b} and {@code priority} become a {@code [group.x]} table; the
 * group's name is its programs' {@code %(group_name)s}.
 */
final class GroupImport {

    private final Map<String, String> groupOf = new LinkedHashMap<>();
    private final List<TomlTable> tables = new ArrayList<>();

    private GroupImport() {
    }

    static GroupImport read(List<IniSection> sections, Map<String, Object> names,
                            List<SupervisordImport.Note> notes) throws ImportException {
        Set<String> programs = sections.stream().filter(s -> s.kind().equals("program"))
                .map(IniSection::suffix).collect(Collectors.toSet());
        Set<String> fcgiPrograms = sections.stream().filter(s -> s.kind().equals("fcgi-program"))
                .map(IniSection::suffix).collect(Collectors.toSet());
        GroupImport groups = new GroupImport();
        for (IniSection section : sections) {
            if (!section.kind().equals("group")) {
                continue;
            }
            String name = SupervisordImport.processOrGroupName(section);
            String where = section.where("programs") + ": [" + section.name() + "] programs";
            String list = section.get("programs").map(IniSection.Entry::value).orElse("");
            list = Expansion.expand(list, names, where);
            int priority = 999;
            if (section.has("priority")) {
                String priorityWhere = section.where("priority") + ": [" + section.name() + "] priority";
                try {
                    priority = PythonValues.smallInteger(Expansion.expand(section.get("priority").get().value(),
                            names, priorityWhere));
                } catch (IllegalArgumentException e) {
                    throw new ImportException(priorityWhere + ": " + e.getMessage());
                }
            }
            List<String> members = new ArrayList<>();
            for (String program : list.isEmpty() ? List.<String>of() : List.of(list.split(",", -1))) {
                String member = program.strip();
                boolean isProgram = programs.contains(member);
                boolean isFcgi = fcgiPrograms.contains(member);
                if (!isProgram && !isFcgi) {
                    throw new ImportException(where + ": names unknown program or fcgi-program \"" + member + "\"");
                }
                if (isProgram && isFcgi) {
                    throw new ImportException(where + ": name \"" + member + "\" is ambiguous (exists as program"
                            + " and fcgi-program)");
                }
                if (isFcgi) {
                    notes.add(new SupervisordImport.Note(section.name(), "programs", "\"" + member + "\" is an"
                            + " fcgi-program, which is not carried: left out of the group"));
                } else if (groups.groupOf.containsKey(member)) {
                    notes.add(new SupervisordImport.Note(section.name(), "programs", "\"" + member + "\" is also in"
                            + " group " + groups.groupOf.get(member) + " (supervisord runs it twice); a Baton"
                            + " program is in at most one group: left out of this one"));
                } else if (!members.contains(member)) {
                    members.add(member);
                    groups.groupOf.put(member, name);
                }
            }
            for (String key : section.options().keySet()) {
                if (!key.equals("programs") && !key.equals("priority")) {
                    notes.add(new SupervisordImport.Note(section.name(), key,
                            "not carried: unknown to supervisord 4.2, which ignores it"));
                }
            }
            if (members.isEmpty()) {
                notes.add(new SupervisordImport.Note(section.name(), "programs", "no program to carry: the group"
                        + " is left out"));
                continue;
            }
            TomlTable table = new TomlTable("group", name)
                    .comment("[" + section.name() + "] in " + section.file() + ":" + section.line())
                    .put("programs", members);
            if (priority != 999) {
                table.put("priority", priority);
            }
            groups.tables.add(table);
        }
        return groups;
    }

    Optional<String> groupOf(String program) {
        return Optional.ofNullable(groupOf.get(program));
    }

    List<TomlTable> tables() {
        return tables;
    }
}
