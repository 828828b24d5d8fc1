package dev.baton.conf;

import java.util.List;

/**
 * One {@code [group.NAME]} table: a name for several programs, usable as a target ({@code baton restart app},
 * {@code app:*}, {@code baton reload app}).
 *
 * @param name     letters, digits, {@code _ - .}; never also a program's name
 * @param programs the member programs, each in at most one group
 * @param priority the start order of the group's programs among the others (an ungrouped program counts as a
 *                 group of its own with its {@code priority}); within the group, the programs' own priorities
 *                 order them; key {@code priority}, default 999
 */
public record GroupConfig(String name, List<String> programs, int priority) {

    public GroupConfig {
        programs = List.copyOf(programs);
    }
}
