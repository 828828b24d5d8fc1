package dev.baton.supervisor.process;

import dev.baton.conf.Signal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to run: a fully expanded argument vector (no shell), its folder and complete environment.
 *
 * @param label       for messages, e.g. {@code web:2}
 * @param deathSignal sent to the process by the kernel if Baton dies without stopping it
 */
public record ProcessSpec(String label, List<String> command, Path directory, Map<String, String> environment,
                          Optional<String> user, Signal deathSignal) {

    public ProcessSpec {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }
}
