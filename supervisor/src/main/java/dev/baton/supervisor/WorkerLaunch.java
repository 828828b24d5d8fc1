package dev.baton.supervisor;

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
 * What one spawn of a worker gets: its {@code {port}} / {@code {socket}}, the expanded command and environment.
 *
 * @param port   0 when the program does not use {@code {port}}
 * @param socket null when the program does not use {@code {socket}}
 */
record WorkerLaunch(ProcessSpec spec, int port, Path socket) {

    /** Unix socket paths longer than this do not fit in {@code sockaddr_un}. */
    private static final int MAX_SOCKET_PATH = 107;

    /** {@code incarnation}: a replacement in the same slot and generation gets a socket path of its own. */
    static WorkerLaunch prepare(ProgramConfig config, int index, int generation, int incarnation, WorkerContext ctx)
            throws SpawnException {
        int port = config.usesPort() ? freeLoopbackPort() : 0;
        Path socket = config.usesSocket() ? socketPath(config, index, generation, incarnation, ctx.socketDir()) : null;
        Map<String, String> values = Map.of(
                "{worker}", Integer.toString(index),
                "{generation}", Integer.toString(generation),
                "{port}", port == 0 ? "" : Integer.toString(port),
                "{socket}", socket == null ? "" : socket.toString());
        List<String> command = config.command().stream().map(arg -> expand(arg, values)).toList();

        Map<String, String> env = new HashMap<>(ctx.baseEnv());
        config.user().flatMap(Posix::lookupUser).ifPresent(user -> {
            env.put("USER", user.name());
            env.put("LOGNAME", user.name());
            env.put("HOME", user.home());
        });
        config.environment().forEach((k, v) -> env.put(k, expand(v, values)));
        env.putIfAbsent("PYTHONUNBUFFERED", "1");
        env.put("BATON_PROGRAM", config.name());
        env.put("BATON_WORKER", Integer.toString(index));
        env.put("BATON_GENERATION", Integer.toString(generation));
        if (port != 0) {
            env.put("BATON_PORT", Integer.toString(port));
        }
        if (socket != null) {
            env.put("BATON_SOCKET", socket.toString());
        }
        ProcessSpec spec = new ProcessSpec(config.name() + ":" + index, command, config.directory(), env,
                config.user(), config.stopsignal());
        return new WorkerLaunch(spec, port, socket);
    }

    private static String expand(String template, Map<String, String> values) {
        String s = template;
        for (Map.Entry<String, String> e : values.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        return s;
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

    private static Path socketPath(ProgramConfig config, int index, int generation, int incarnation, Path dir)
            throws SpawnException {
        Path socket = dir.resolve(config.name() + "-" + generation + "-" + index
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
