package dev.baton.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** HTTP clients for the proxy tests: java.net.http on loopback, raw sockets and curl, each bounded in time. */
final class Http {

    /** HTTP/1.1 only: the default client would offer an h2c upgrade. */
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private Http() {
    }

    /** A loopback port that was free a moment ago: bound to port 0, then closed. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** GET {@code path} on 127.0.0.1:{@code port}; any status is answered, an I/O error fails the test. */
    static HttpResponse<String> get(int port, String path) {
        return send(HttpRequest.newBuilder(uri(port, path)).timeout(TIMEOUT).build());
    }

    /** GET without waiting: the answer (any status) or the I/O error, later. */
    static CompletableFuture<HttpResponse<String>> getAsync(int port, String path) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(uri(port, path)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + request.uri(), e);
        }
    }

    /** The JSON object a worker answered; fails unless the status was 200. */
    static Map<String, Object> json(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError(response.request().uri() + " -> " + response.statusCode() + " " + response.body());
        }
        return Json.object(response.body());
    }

    /** True when something accepts TCP connections on 127.0.0.1:{@code port}. */
    static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One response read off a raw connection: status line, head (with the status line) and body. */
    record Raw(String statusLine, String head, String body) {

        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    /**
     * One raw, persistent client connection to 127.0.0.1:{@code port}: requests are written as given and each
     * response is read by its Content-Length (10 s at most per read). Shows exactly which connection a request
     * travelled on, which java.net.http's pool hides.
     */
    static final class Connection implements AutoCloseable {

        private final Socket socket;
        private final InputStream in;

        Connection(int port) throws IOException {
            socket = new Socket();
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(10_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
        }

        /** Sends {@code GET path} (keep-alive) and reads the response; null when the connection was closed first. */
        Raw get(String path) throws IOException {
            send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            return read();
        }

        void send(String raw) throws IOException {
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        /** Reads one response; null when the server closed the connection before sending a byte of it. */
        Raw read() throws IOException {
            String head = readHead();
            if (head == null) {
                return null;
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            byte[] body = in.readNBytes(length);
            return new Raw(head.substring(0, head.indexOf("\r\n")), head, new String(body, StandardCharsets.UTF_8));
        }

        /** Reads a response's status line and headers only; null when the connection was closed first. */
        String readHead() throws IOException {
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int c = in.read();
                if (c < 0) {
                    if (head.length() == 0) {
                        return null;
                    }
                    throw new java.io.EOFException("connection closed inside a response head: " + head);
                }
                head.append((char) c);
            }
            return head.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Runs {@code curl -sS ARGS...} (at most 30 s) and answers exit code and output. */
    static Cli.Result curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
        command.addAll(List.of(args));
        long started = System.nanoTime();
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                    "/dev/null"))).start();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + ": still running after 30 s");
            }
            return new Cli.Result(command, p.exitValue(), out.join(), err.join(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The status curl got for GET {@code url} on a connection of its own; fails when curl could not get one. */
    static int curlStatus(String url) {
        Cli.Result curl = curl("-o", "/dev/null", "-w", "%{http_code}", url);
        if (curl.exit() != 0) {
            throw new AssertionError(curl.toString());
        }
        return Integer.parseInt(curl.out().strip());
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(cannot read: " + e + ")";
            }
        });
    }
}
