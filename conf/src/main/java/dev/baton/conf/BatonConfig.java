package dev.baton.conf;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A validated, immutable Baton configuration.
 *
 * @param file     the configuration file it was read from (absolute, normalised)
 * @param daemon   the {@code [baton]} table
 * @param programs every {@code [program.NAME]} table, of the file and its includes, in start order: ascending
 *                 priority of the program's group (an ungrouped program's own), then its {@code priority}, then name
 * @param groups   every {@code [group.NAME]} table, in name order
 * @param files    the file and then every file it includes, in the order read (absolute)
 */
public record BatonConfig(Path file, DaemonSettings daemon, List<ProgramConfig> programs,
                          List<GroupConfig> groups, List<Path> files) {

    public BatonConfig {
        programs = List.copyOf(programs);
        groups = List.copyOf(groups);
        files = List.copyOf(files);
    }

    /** A configuration of one file without groups. */
    public BatonConfig(Path file, DaemonSettings daemon, List<ProgramConfig> programs) {
        this(file, daemon, programs, List.of(), List.of(file));
    }

    /** The group with this name, if configured. */
    public Optional<GroupConfig> group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /** The group {@code program} belongs to, if any. */
    public Optional<GroupConfig> groupOf(String program) {
        return groups.stream().filter(g -> g.programs().contains(program)).findFirst();
    }

    /** The program with this name, if configured. */
    public Optional<ProgramConfig> program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
