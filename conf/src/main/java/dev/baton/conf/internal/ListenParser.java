package dev.baton.conf.internal;

import dev.baton.conf.ListenAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses a {@code listen} address: {@code "HOST:PORT"}, {@code "[IPV6]:PORT"}, {@code ":PORT"} (all interfaces) or
 * {@code "unix:PATH"}. HOST is a host name or an IPv4 literal; host names are not looked up here.
 */
public final class ListenParser {

    /** {@code sun_path} holds 108 bytes including the terminating NUL. */
    public static final int MAX_UNIX_PATH = 107;

    private static final String UNIX = "unix:";
    private static final Pattern HOST_NAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern NUMERIC_LABEL = Pattern.compile(".*(^|\\.)[0-9]+");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private ListenParser() {
    }

    /**
     * Parses {@code text}; a relative unix socket path is resolved against {@code base}.
     *
     * @throws IllegalArgumentException with the message for the user when {@code text} is not a listen address
     */
    public static ListenAddress parse(String text, Path base) {
        if (text.startsWith(UNIX)) {
            return unix(text, base);
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || !text.startsWith(":", close + 1) || !IpLiterals.isIpv6(text.substring(1, close))) {
                throw malformed(text);
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw malformed(text);
            }
            host = text.substring(0, colon);
            if (!host.isEmpty() && !isHostName(host) && !IpLiterals.isIpv4(host)) {
                throw malformed(text);
            }
            port = text.substring(colon + 1);
        }
        return ListenAddress.tcp(host.toLowerCase(Locale.ROOT), port(text, port));
    }

    private static ListenAddress unix(String text, Path base) {
        String path = text.substring(UNIX.length());
        if (path.isEmpty()) {
            throw malformed(text);
        }
        Path socket;
        try {
            socket = base.resolve(path).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("invalid path: " + e.getReason());
        }
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_UNIX_PATH) {
            throw new IllegalArgumentException("unix socket path is too long (" + length + " > " + MAX_UNIX_PATH
                    + " bytes): " + socket);
        }
        return ListenAddress.unix(socket);
    }

    private static int port(String text, String port) {
        if (!DIGITS.matcher(port).matches()) {
            throw malformed(text);
        }
        int number = port.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(port);
        if (number < 1 || number > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, found " + port);
        }
        return number;
    }

    /** A DNS name; one whose last label is a number is not (it would be a malformed IPv4 address). */
    private static boolean isHostName(String host) {
        return host.length() <= 253 && HOST_NAME.matcher(host).matches() && !NUMERIC_LABEL.matcher(host).matches();
    }

    private static IllegalArgumentException malformed(String text) {
        return new IllegalArgumentException(
                "expected \"HOST:PORT\", \"[IPV6]:PORT\" or \"unix:PATH\", found \"" + text + "\"");
    }
}
