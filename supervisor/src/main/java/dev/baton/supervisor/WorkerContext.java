package dev.baton.supervisor;

import dev.baton.supervisor.log.LogFiles;
import dev.baton.supervisor.log.LogHub;
import dev.baton.supervisor.process.Launcher;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What every worker needs from the daemon.
 *
 * @param socketDir folder of the unix sockets handed out as {@code {socket}}
 * @param baseEnv   Baton's own environment, inherited by every worker
 * @param onChange  told (on the loop thread) of every worker state transition, as it happened
 */
public record WorkerContext(Launcher launcher, EventLoop loop, LogFiles logFiles, LogHub hub, boolean logToStdout,
                            Path socketDir, Map<String, String> baseEnv, Consumer<WorkerChange> onChange) {
}
