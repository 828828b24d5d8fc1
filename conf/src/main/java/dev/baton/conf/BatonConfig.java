package dev.baton.conf;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A validated, immutable Baton configuration.
 *
 * @param file     the configuration file it was read from (absolute, normalised)
 * @param daemon   the {@code [baton]} table
 * @param programs every {@code [program.NAME]} table, in start order: ascending {@code priority}, then name
 */
public record BatonConfig(Path file, DaemonSettings daemon, List<ProgramConfig> programs) {

    public BatonConfig {
        programs = List.copyOf(programs);
    }

    /** The program with this name, if configured. */
    public Optional<ProgramConfig> program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
