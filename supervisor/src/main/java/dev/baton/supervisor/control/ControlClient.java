package dev.baton.supervisor.control;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * The CLI's side of the control socket: one HTTP/1.1 request per connection, JDK classes only (the CLI starts
 * fast because it loads no Netty).
 */
public final class ControlClient {

    private final Path socket;

    /** A complete response: status code and body. */
    public record Response(int status, String body) {
    }

    /** Where {@link #stream} hands a streamed answer, line by line (an error answer too). */
    @FunctionalInterface
    public interface Lines {
        void accept(int status, String line);
    }

    /** The daemon is not there: no socket file, or nobody listening on it. */
    public static final class UnreachableException extends IOException {
        public UnreachableException(String message) {
            super(message);
        }
    }

    /**
     * This user may not use the control socket (no write permission on it) or may not enter its folder; whether a
     * daemon listens there is unknown.
     */
    public static final class DeniedException extends IOException {
        public DeniedException(Path socket) {
            super("cannot open control socket " + socket + ": permission denied (run as the daemon's user or a"
                    + " member of its socket_group)");
        }
    }

    public ControlClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /** True when a daemon accepts connections on the socket. */
    public boolean reachable() {
        try (SocketChannel ch = connect()) {
            return ch.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    public Response get(String target) throws IOException {
        return exchange("GET", target);
    }

    public Response post(String target) throws IOException {
        return exchange("POST", target);
    }

    private Response exchange(String method, String target) throws IOException {
        try (SocketChannel ch = connect()) {
            send(ch, method, target);
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
            Head head = Head.read(in);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            head.body(in, chunk -> body.write(chunk, 0, chunk.length));
            return new Response(head.status, body.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * Sends the request and hands each line of the body to {@code lines} as it arrives, with the answer's status
     * code, until the daemon ends the response. Answers the status code.
     */
    public int stream(String method, String target, Lines lines) throws IOException {
        try (SocketChannel ch = connect()) {
            send(ch, method, target);
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
            Head head = Head.read(in);
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            head.body(in, chunk -> {
                for (byte b : chunk) {
                    if (b == '\n') {
                        lines.accept(head.status, pending.toString(StandardCharsets.UTF_8));
                        pending.reset();
                    } else {
                        pending.write(b);
                    }
                }
            });
            if (pending.size() > 0) {
                lines.accept(head.status, pending.toString(StandardCharsets.UTF_8));
            }
            return head.status;
        }
    }

    /**
     * Connects, or says why not: no socket file, a folder on the way this user may not enter, a socket this user
     * may not write to, nobody listening.
     */
    private SocketChannel connect() throws IOException {
        try {
            Files.readAttributes(socket, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new UnreachableException("daemon not running: no control socket at " + socket);
        } catch (AccessDeniedException e) {
            throw new DeniedException(socket);
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException e) {
            ch.close();
            String why = e.getMessage() == null ? e.toString() : e.getMessage().toLowerCase(Locale.ROOT);
            if (!Files.isWritable(socket) || why.contains("permission denied")) { // connecting needs write access
                throw new DeniedException(socket);
            }
            throw new UnreachableException("daemon not running: nothing listens on " + socket + " (" + why + ")");
        }
    }

    private static void send(SocketChannel ch, String method, String target) throws IOException {
        String request = method + " " + target + " HTTP/1.1\r\nHost: baton\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n";
        ByteBuffer bytes = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            ch.write(bytes);
        }
    }

    /** Status line and the headers that matter for reading the body. */
    private static final class Head {
        int status;
        long length = -1;
        boolean chunked;

        interface Sink {
            void accept(byte[] chunk) throws IOException;
        }

        static Head read(InputStream in) throws IOException {
            Head head = new Head();
            String status = line(in);
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("unexpected answer from the control socket: " + status);
            }
            head.status = Integer.parseInt(parts[1]);
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    head.length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
                    head.chunked = true;
                }
            }
            return head;
        }

        void body(InputStream in, Sink sink) throws IOException {
            if (chunked) {
                for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                     size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                    sink.accept(in.readNBytes(size));
                    line(in);
                }
            } else if (length >= 0) {
                sink.accept(in.readNBytes((int) length));
            } else {
                byte[] buf = new byte[8192];
                for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                    sink.accept(java.util.Arrays.copyOf(buf, n));
                }
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder s = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    if (s.length() == 0) {
                        throw new IOException("the daemon closed the connection");
                    }
                    break;
                }
                if (c != '\r') {
                    s.append((char) c);
                }
            }
            return s.toString();
        }
    }
}
