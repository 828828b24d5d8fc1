package dev.baton.supervisor;

/** A worker's lifecycle, as in supervisord. */
public enum WorkerState {
    /** Not running: never started, or stopped on request. */
    STOPPED,
    /** Spawned; not yet up for {@code startsecs}. */
    STARTING,
    /** Up for at least {@code startsecs}. */
    RUNNING,
    /** Exited while STARTING (or could not be spawned); will be tried again after a delay. */
    BACKOFF,
    /**
     * Replaced by a newer generation: gets no new requests while its in-flight ones finish; the stop signal
     * follows once none is left, or after {@code stopwaitsecs}.
     */
    DRAINING,
    /** Stop signal sent; waiting for the exit, SIGKILL after {@code stopwaitsecs}. */
    STOPPING,
    /** Exited after RUNNING; restarted after a delay when {@code autorestart} says so. */
    EXITED,
    /** Failed to start {@code startretries + 1} times in a row; left alone until started by hand. */
    FATAL;

    /** True when a process of this worker may exist. */
    public boolean hasProcess() {
        return this == STARTING || this == RUNNING || this == DRAINING || this == STOPPING;
    }
}
