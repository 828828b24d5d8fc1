package dev.baton.conf.internal;

import dev.baton.conf.DaemonSettings;
import dev.baton.conf.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the {@code [baton]} table. */
public final class DaemonReader {

    /** Every key {@code [baton]} accepts. */
    public static final List<String> KEYS = List.of("socket", "socket_group", "log_dir", "log_to_stdout",
            "log_timestamps", "metrics_listen", "event_command", "environment", "include", "shutdown_delay");

    private DaemonReader() {
    }

    /**
     * @param baton  the {@code [baton]} table (a section over no table when the file has none)
     * @param base   the configuration file's folder, against which relative paths are resolved
     * @param env    expands {@code ${VAR}} in {@code event_command}
     * @param owners the addresses claimed so far; {@code socket} and {@code metrics_listen} are added
     *               ({@code environment} and {@code include} are read apart, by {@link EnvironmentReader#table}
     *               and {@link Includes#files})
     */
    public static DaemonSettings read(Section baton, Path base, EnvExpander env, ListenOwners owners) {
        baton.rejectUnknownKeys(KEYS, Map.of());
        Path socket = baton.path("socket", base).orElse(base.resolve(DaemonSettings.DEFAULT_SOCKET));
        owners.reserve(ListenAddress.unix(socket), baton.keyPath("socket"));
        return new DaemonSettings(
                socket,
                baton.nonEmptyString("socket_group"),
                baton.path("log_dir", base).orElse(base.resolve("logs")),
                baton.bool("log_to_stdout", false),
                baton.bool("log_timestamps", false),
                metricsListen(baton, base, owners),
                baton.has("event_command") ? ProgramReader.command(baton, "event_command", env) : List.of(),
                baton.duration("shutdown_delay", Duration.ZERO, true, DaemonSettings.MAX_SHUTDOWN_DELAY));
    }

    private static Optional<ListenAddress> metricsListen(Section baton, Path base, ListenOwners owners) {
        Optional<String> text = baton.nonEmptyString("metrics_listen");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        ListenAddress address;
        try {
            address = ListenParser.parse(text.get(), base);
        } catch (IllegalArgumentException e) {
            baton.error("metrics_listen", e.getMessage());
            return Optional.empty();
        }
        boolean free = owners.claim(address, baton.keyPath("metrics_listen"),
                message -> baton.error("metrics_listen", message));
        return free ? Optional.of(address) : Optional.empty();
    }
}
