package dev.baton.supervisor.process;

import dev.baton.conf.Signal;

/** A started child: the leader of its own process group (its pgid equals its pid). */
public interface ChildProcess {

    int pid();

    /** Sends {@code signal} to the child, or to its whole process group; false when nothing received it. */
    boolean signal(Signal signal, boolean group);

    /**
     * When the leader exits, SIGKILL whatever is left of its process group (grandchildren) before it is reaped,
     * while the zombie still reserves the group id.
     */
    void killGroupOnExit(boolean enabled);
}
