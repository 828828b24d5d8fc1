package dev.baton.supervisor.process;

import dev.baton.conf.Signal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What to run: a fully expanded argument vector (no shell), its folder and complete environment.
 *
 * @param label       for messages, e.g. {@code web:2}
 * @param deathSignal sent to the process by the kernel if Baton dies without stopping it
 * @param umask       the file mode creation mask the command runs with (0 to 0777), empty for Baton's own
 */
public record ProcessSpec(String label, List<String> command, Path directory, Map<String, String> environment,
                          Optional<String> user, Signal deathSignal, OptionalInt umask) {

    public ProcessSpec {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        if (umask.isPresent() && (umask.getAsInt() < 0 || umask.getAsInt() > 0777)) {
            throw new IllegalArgumentException(label + ": umask must be 0 to 0777, got " + umask.getAsInt());
        }
    }

    /** With Baton's own umask. */
    public ProcessSpec(String label, List<String> command, Path directory, Map<String, String> environment,
                       Optional<String> user, Signal deathSignal) {
        this(label, command, directory, environment, user, deathSignal, OptionalInt.empty());
    }
}
