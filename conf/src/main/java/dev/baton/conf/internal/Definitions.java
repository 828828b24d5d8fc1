package dev.baton.conf.internal;

import dev.baton.conf.GroupConfig;
import dev.baton.conf.ProgramConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code [program.NAME]} and {@code [group.NAME]} tables of a configuration's files (the main file and those
 * it includes), read file by file: a name defined in two files is reported in the later one, naming the first.
 */
public final class Definitions {

    private final EnvExpander env;
    private final ListenOwners listens;
    private final Map<String, String> environment;
    private final Map<String, ProgramConfig> programs = new LinkedHashMap<>();
    private final Map<String, Section> programSections = new HashMap<>();
    private final Map<String, GroupReader.Draft> groups = new LinkedHashMap<>();

    /**
     * @param env         expands {@code ${VAR}}
     * @param listens     every listen address of every file, so that one is used once in the whole configuration
     * @param environment the {@code [baton] environment} table, under each program's
     */
    public Definitions(EnvExpander env, ListenOwners listens, Map<String, String> environment) {
        this.env = env;
        this.listens = listens;
        this.environment = Map.copyOf(environment);
    }

    /** Reads the programs and groups of one file's root table; {@code base} is that file's folder. */
    public void read(Section root, Path base) {
        root.section("program").ifPresent(all -> {
            for (String name : all.keys()) {
                all.section(name).ifPresent(program -> {
                    ProgramConfig config = ProgramReader.read(program, name, base, env, listens, environment);
                    Section first = programSections.get(name);
                    if (first != null) {
                        program.errorAtHeader("program \"" + name + "\" is already defined at " + first.location());
                    } else {
                        programs.put(name, config);
                        programSections.put(name, program);
                    }
                });
            }
        });
        root.section("group").ifPresent(all -> {
            for (String name : all.keys()) {
                all.section(name).ifPresent(group -> {
                    GroupReader.Draft draft = GroupReader.read(group, name);
                    GroupReader.Draft first = groups.get(name);
                    if (first != null) {
                        group.errorAtHeader("group \"" + name + "\" is already defined at "
                                + first.section().location());
                    } else {
                        groups.put(name, draft);
                    }
                });
            }
        });
    }

    /** The groups, checked against the programs of every file read; in name order. */
    public List<GroupConfig> groups() {
        return GroupReader.check(new ArrayList<>(groups.values()), programs.keySet());
    }

    /**
     * The programs in start order: the priority of the program's group (an ungrouped program's own priority),
     * then the program's priority, then its name.
     */
    public List<ProgramConfig> programs(List<GroupConfig> groups) {
        Map<String, Integer> groupPriority = new HashMap<>();
        for (GroupConfig group : groups) {
            group.programs().forEach(program -> groupPriority.put(program, group.priority()));
        }
        List<ProgramConfig> sorted = new ArrayList<>(programs.values());
        sorted.sort(Comparator.<ProgramConfig>comparingInt(p -> groupPriority.getOrDefault(p.name(), p.priority()))
                .thenComparingInt(ProgramConfig::priority).thenComparing(ProgramConfig::name));
        return sorted;
    }
}
