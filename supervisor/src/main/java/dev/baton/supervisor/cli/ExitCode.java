package dev.baton.supervisor.cli;

/** The exit codes of every {@code baton} command (documented in the README). */
public final class ExitCode {

    /** Success. */
    public static final int OK = 0;
    /** The request was understood but failed (a worker did not start, a signal found no process...). */
    public static final int FAILURE = 1;
    /** Bad command line, unknown target or invalid configuration. */
    public static final int USAGE = 2;
    /** {@code baton status}: at least one worker is not RUNNING. */
    public static final int NOT_RUNNING = 3;
    /** The daemon is not reachable on its control socket. */
    public static final int UNREACHABLE = 4;
    /** {@code baton reload}: a reload of the same program is already running (without {@code --wait}). */
    public static final int BUSY = 5;

    private ExitCode() {
    }
}
