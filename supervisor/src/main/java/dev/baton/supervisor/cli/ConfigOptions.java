package dev.baton.supervisor.cli;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigError;
import dev.baton.conf.ConfigException;
import dev.baton.conf.ConfigLoader;
import dev.baton.conf.DaemonSettings;
import dev.baton.conf.SocketLookup;
import dev.baton.supervisor.control.ControlClient;
import org.tomlj.Toml;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code -c/--config} and {@code -s/--socket}, shared by every command (a picocli mixin). */
public final class ConfigOptions {

    static final List<Path> DEFAULT_CONFIGS = List.of(Path.of("baton.toml"), Path.of("/etc/baton/baton.toml"));

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Configuration file (default: ./baton.toml, then /etc/baton/baton.toml).")
    Path config;

    @Option(names = {"-s", "--socket"}, paramLabel = "PATH",
            description = "Control socket, instead of the one the configuration names.")
    Path socket;

    /** The configuration file to use; fails with a usage error when none exists. */
    Path configFile() {
        if (config != null) {
            if (!Files.exists(config)) {
                throw new CliException(ExitCode.USAGE, "configuration file not found: " + config);
            }
            return config;
        }
        return DEFAULT_CONFIGS.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() ->
                new CliException(ExitCode.USAGE, "no configuration file: neither ./baton.toml nor "
                        + "/etc/baton/baton.toml exists (use -c FILE)"));
    }

    /** Loads and validates the configuration, printing every error before failing with {@link ExitCode#USAGE}. */
    BatonConfig load(PrintWriter err) {
        Path file = configFile();
        try {
            return ConfigLoader.load(file, System.getenv());
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                err.println(error);
            }
            err.flush();
            throw new CliException(ExitCode.USAGE, file + ": " + e.errors().size()
                    + (e.errors().size() == 1 ? " error" : " errors"));
        }
    }

    /**
     * The client for the daemon's control socket. Only {@code [baton] socket} is read here, so that an edited,
     * not yet valid configuration never locks the operator out of the running daemon.
     */
    ControlClient client() {
        if (socket != null) {
            return new ControlClient(socket.toAbsolutePath());
        }
        Path file = configFile().toAbsolutePath();
        String path;
        try {
            path = SocketLookup.scan(Files.readString(file)).orElseGet(() -> parsedSocket(file));
        } catch (CharacterCodingException e) {
            path = parsedSocket(file);
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, file + ": cannot read: " + e.getMessage());
        }
        return new ControlClient(file.getParent().resolve(path).normalize());
    }

    /** {@code [baton] socket} read with the TOML parser, for files {@link SocketLookup} cannot answer for. */
    private static String parsedSocket(Path file) {
        try {
            Object value = Toml.parse(file).get("baton.socket");
            return value instanceof String s ? s : DaemonSettings.DEFAULT_SOCKET;
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, file + ": cannot read: " + e.getMessage());
        }
    }
}
