package dev.baton.supervisor;

import dev.baton.conf.Placeholders;
import dev.baton.conf.ProgramConfig;
import dev.baton.supervisor.process.Posix;
import dev.baton.supervisor.process.ProcessSpec;
import dev.baton.supervisor.process.SpawnException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one spawn of a worker gets: its {@code {port}} / {@code {socket}}, the command and environment with
 * {@link Placeholders} expanded ({@code {worker}} is the worker's number, format specs such as {@code {worker:02}}
 * allowed), its umask.
 *
 * @param port   0 when the program does not use {@code {port}}
 * @param socket null when the program does not use {@code {socket}}
 */
record WorkerLaunch(ProcessSpec spec, int port, Path socket) {

    /** Unix socket paths longer than this do not fit in {@code sockaddr_un}. */
    private static final int MAX_SOCKET_PATH = 107;

    /**
     * Worker {@code number} ({@code numprocs_start + slot}) of {@code generation}; {@code incarnation}: a replacement
     * in the same slot and generation gets a socket path of its own.
     */
    static WorkerLaunch prepare(ProgramConfig config, int number, int generation, int incarnation, WorkerContext ctx)
            throws SpawnException {
        int port = config.usesPort() ? freeLoopbackPort() : 0;
        Path socket = config.usesSocket() ? socketPath(config, number, generation, incarnation, ctx.socketDir())
                : null;
        Map<String, Object> values = Map.of(
                "worker", number,
                "generation", generation,
                "port", port == 0 ? "" : port,
                "socket", socket == null ? "" : socket.toString(),
                "program", config.name());
        List<String> command = config.command().stream().map(arg -> Placeholders.expand(arg, values)).toList();

        Map<String, String> env = new HashMap<>(ctx.baseEnv());
        config.user().flatMap(Posix::lookupUser).ifPresent(user -> {
            env.put("USER", user.name());
            env.put("LOGNAME", user.name());
            env.put("HOME", user.home());
        });
        config.environment().forEach((k, v) -> env.put(k, Placeholders.expand(v, values)));
        env.putIfAbsent("PYTHONUNBUFFERED", "1");
        env.put("BATON_PROGRAM", config.name());
        env.put("BATON_WORKER", Integer.toString(number));
        env.put("BATON_GENERATION", Integer.toString(generation));
        if (port != 0) {
            env.put("BATON_PORT", Integer.toString(port));
        }
        if (socket != null) {
            env.put("BATON_SOCKET", socket.toString());
        }
        ProcessSpec spec = new ProcessSpec(config.workerName(number), command, config.directory(), env,
                config.user(), config.stopsignal(), config.umask());
        return new WorkerLaunch(spec, port, socket);
    }

    private static int freeLoopbackPort() throws SpawnException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(false);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new SpawnException("no free loopback port: " + e.getMessage());
        }
    }

    private static Path socketPath(ProgramConfig config, int number, int generation, int incarnation, Path dir)
            throws SpawnException {
        Path socket = dir.resolve(config.name() + "-" + generation + "-" + number
                + (incarnation == 0 ? "" : "." + incarnation) + ".sock");
        if (socket.toString().length() > MAX_SOCKET_PATH) {
            throw new SpawnException("socket path too long (" + socket.toString().length() + " > "
                    + MAX_SOCKET_PATH + " bytes): " + socket);
        }
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new SpawnException("cannot prepare socket " + socket + ": " + e.getMessage());
        }
        return socket;
    }
}
