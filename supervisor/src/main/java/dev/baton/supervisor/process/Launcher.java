package dev.baton.supervisor.process;

/** Starts child processes; the seam between the supervisor's state machines and the operating system. */
public interface Launcher {

    /**
     * Starts {@code spec} in a new session and process group.
     *
     * @throws SpawnException with a one-line reason when it cannot start (missing folder, command not found,
     *                        permission denied, unknown user)
     */
    ChildProcess start(ProcessSpec spec, ProcessListener listener) throws SpawnException;
}
