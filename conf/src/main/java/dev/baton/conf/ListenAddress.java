package dev.baton.conf;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One address the reverse proxy of a program listens on: TCP {@code host:port}, or a unix socket path.
 *
 * <p>Text forms: {@code "127.0.0.1:8000"}, {@code "0.0.0.0:8000"}, {@code "localhost:8000"}, {@code "[::1]:8000"},
 * {@code "[::]:8000"}, {@code ":8000"} (all interfaces), {@code "unix:/run/web.sock"}, {@code "unix:web.sock"}
 * (relative to the configuration folder).
 *
 * @param host     TCP: a host name or IP address literal, in lower case, without brackets ({@code "::1"});
 *                 {@code ""} for all interfaces. Unix: {@code ""}
 * @param port     TCP: 1..65535. Unix: 0
 * @param unixPath the socket path (absolute, normalised) for a unix address; empty for TCP
 */
public record ListenAddress(String host, int port, Optional<Path> unixPath) {

    public ListenAddress {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(unixPath, "unixPath");
    }

    /** A TCP address; {@code host} {@code ""} means all interfaces. */
    public static ListenAddress tcp(String host, int port) {
        return new ListenAddress(host, port, Optional.empty());
    }

    /** A unix socket address. */
    public static ListenAddress unix(Path path) {
        return new ListenAddress("", 0, Optional.of(path));
    }

    public boolean isUnix() {
        return unixPath.isPresent();
    }

    /** The text form: {@code 127.0.0.1:8000}, {@code [::1]:8000}, {@code :8000} or {@code unix:/run/web.sock}. */
    @Override
    public String toString() {
        if (isUnix()) {
            return "unix:" + unixPath.get();
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
