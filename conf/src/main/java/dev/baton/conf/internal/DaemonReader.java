package dev.baton.conf.internal;

import dev.baton.conf.DaemonSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Reads the {@code [baton]} table. */
public final class DaemonReader {

    /** Every key {@code [baton]} accepts. */
    public static final List<String> KEYS = List.of("socket", "socket_group", "log_dir", "log_to_stdout");

    private DaemonReader() {
    }

    /**
     * @param baton the {@code [baton]} table (a section over no table when the file has none)
     * @param base  the configuration file's folder, against which relative paths are resolved
     */
    public static DaemonSettings read(Section baton, Path base) {
        baton.rejectUnknownKeys(KEYS, Map.of());
        return new DaemonSettings(
                baton.path("socket", base).orElse(base.resolve(DaemonSettings.DEFAULT_SOCKET)),
                baton.nonEmptyString("socket_group"),
                baton.path("log_dir", base).orElse(base.resolve("logs")),
                baton.bool("log_to_stdout", false));
    }
}
