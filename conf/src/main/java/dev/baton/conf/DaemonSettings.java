package dev.baton.conf;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code [baton]} table. Relative paths are already resolved against the configuration file's folder.
 *
 * @param socket      control socket path; key {@code socket}, default {@code "baton.sock"}
 * @param socketGroup group owning the control socket, which then gets mode 0660 instead of 0600;
 *                    key {@code socket_group}, default none
 * @param logDir      folder of the worker log files; key {@code log_dir}, default {@code "logs"}
 * @param logToStdout echo every worker line to Baton's own stdout; key {@code log_to_stdout}, default false
 */
public record DaemonSettings(Path socket, Optional<String> socketGroup, Path logDir, boolean logToStdout) {

    /** {@code socket} when the file does not set it, relative to the configuration file's folder. */
    public static final String DEFAULT_SOCKET = "baton.sock";
}
