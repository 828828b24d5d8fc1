package dev.baton.conf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code [baton]} table. Relative paths are already resolved against the configuration file's folder.
 *
 * @param socket        control socket path; key {@code socket}, default {@code "baton.sock"}
 * @param socketGroup   group owning the control socket, which then gets mode 0660 instead of 0600;
 *                      key {@code socket_group}, default none
 * @param logDir        folder of the worker log files; key {@code log_dir}, default {@code "logs"}
 * @param logToStdout   echo every worker line to Baton's own stdout; key {@code log_to_stdout}, default false
 * @param logTimestamps prefix each line of the worker log files with its arrival time (ISO 8601, milliseconds);
 *                      key {@code log_timestamps}, default false (the files keep the workers' bytes)
 * @param metricsListen the admin address serving {@code GET /metrics} over HTTP, in any form {@code listen}
 *                      takes; key {@code metrics_listen}, default none (metrics on the control socket only)
 * @param eventCommand  the command run for each event, split into words like {@code command}, with one JSON
 *                      object on its standard input; key {@code event_command}, default none
 * @param shutdownDelay how long Baton, asked to shut down (SIGTERM, SIGINT, {@code baton shutdown}), answers 503 on
 *                      {@code /ready} while it still accepts and serves, so that load balancers stop sending to it
 *                      before it stops accepting; key {@code shutdown_delay}, default {@code "0s"} (none), at most
 *                      {@link #MAX_SHUTDOWN_DELAY}
 */
public record DaemonSettings(Path socket, Optional<String> socketGroup, Path logDir, boolean logToStdout,
                             boolean logTimestamps, Optional<ListenAddress> metricsListen,
                             List<String> eventCommand, Duration shutdownDelay) {

    /** The longest {@code shutdown_delay}: far above any load balancer's check interval times its fall count. */
    public static final Duration MAX_SHUTDOWN_DELAY = Duration.ofMinutes(10);

    /** {@code socket} when the file does not set it, relative to the configuration file's folder. */
    public static final String DEFAULT_SOCKET = "baton.sock";

    public DaemonSettings {
        eventCommand = List.copyOf(eventCommand);
    }

    /** The settings of the first four keys, the others at their defaults. */
    public DaemonSettings(Path socket, Optional<String> socketGroup, Path logDir, boolean logToStdout) {
        this(socket, socketGroup, logDir, logToStdout, false, Optional.empty(), List.of(), Duration.ZERO);
    }
}
