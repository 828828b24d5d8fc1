package dev.baton.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The retry rule on a real socket: a worker that reads a request's head and then resets the connection (a worker
 * killed with the request in its socket) gets an idempotent request whose body Baton holds again, and a POST
 * never (502, saying why).
 */
class ProxyRetryTest {

    @RegisterExtension
    final Backends backends = new Backends();

    private FlakyWorker worker;

    @AfterEach
    void stopWorker() throws IOException {
        if (worker != null) {
            worker.close();
        }
    }

    private void serveOneFlakyWorker(int resets) throws Exception {
        serveOneFlakyWorker(new FlakyWorker(resets, false), 2);
    }

    private void serveOneFlakyWorker(FlakyWorker flaky, int retries) throws Exception {
        worker = flaky;
        backends.views.add(new BackendView("web:0", 1, worker.address(), BackendView.Role.SERVING));
        backends.serve(backends.listenOnFreePort("web").toBuilder().retries(retries).build());
    }

    @Test
    void aGetOnAPooledConnectionTheWorkerClosedGoesAgainOnANewOneWithoutSpendingRetries() throws Exception {
        serveOneFlakyWorker(new FlakyWorker(1, true), 0); // retries = 0: a counted try could not go again
        try (Raw raw = new Raw(backends.port)) {
            assertEquals(200, raw.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n").read().status());
            // its worker connection went back to the pool; the worker resets the next request on it
            Raw.Response second = raw.send("GET /second HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(200, second.status(), second.body());
        }
        // the reset connection is gone: the second try came on a new one
        assertEquals(List.of("GET /first", "GET /second", "GET /second"), worker.requests);
    }

    @Test
    void putWhoseHeadReachedAWorkerThatResetIsSentAgain() throws Exception {
        serveOneFlakyWorker(1);
        try (Raw raw = new Raw(backends.port)) {
            Raw.Response r = raw.send("PUT /item HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").read();
            assertEquals(200, r.status(), r.body());
        }
        assertEquals(List.of("PUT /item", "PUT /item"), worker.requests);
    }

    @Test
    void postWhoseHeadReachedAWorkerThatResetIsNotSentAgain() throws Exception {
        serveOneFlakyWorker(1);
        try (Raw raw = new Raw(backends.port)) {
            Raw.Response r = raw.send("POST /order HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").read();
            assertEquals(502, r.status());
            assertTrue(r.body().contains("not retried: POST is not idempotent"), r.body());
        }
        assertEquals(List.of("POST /order"), worker.requests);
    }

    @Test
    void postWhoseBodyIsStillStreamingWhenTheWorkerResetsGets502() throws Exception {
        serveOneFlakyWorker(1);
        try (Raw raw = new Raw(backends.port)) {
            raw.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n");
            Backends.await("the worker read the head", () -> worker.requests.size() == 1);
            byte[] piece = new byte[64 * 1024];
            try {
                for (int sent = 0; sent < 4_000_000 - piece.length; sent += piece.length) {
                    raw.out.write(piece);
                    if (raw.in.available() > 0) {
                        break; // Baton answered already
                    }
                }
            } catch (IOException e) {
                // Baton closed the connection after answering: the answer is still to read
            }
            Raw.Response r = raw.read();
            assertEquals(502, r.status());
            assertTrue(r.body().contains("not retried"), r.body());
        }
        assertEquals(List.of("POST /upload"), worker.requests);
    }

    /**
     * A worker on a loopback port: answers {@code /healthz}; for other requests it reads the head and, for the first
     * {@code resets} of them, resets the connection (SO_LINGER 0) without reading the body; later ones get 200.
     */
    private static final class FlakyWorker implements AutoCloseable {
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final ServerSocket server;
        private final AtomicInteger resets;
        private final boolean onlyReused;

        /** {@code onlyReused}: the resets are of requests that come on a connection after its first request. */
        FlakyWorker(int resets, boolean onlyReused) throws IOException {
            this.resets = new AtomicInteger(resets);
            this.onlyReused = onlyReused;
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(this::accept, "flaky-worker");
            accept.setDaemon(true);
            accept.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> serve(s), "flaky-worker-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                for (int n = 0; ; n++) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    String line = head.substring(0, head.indexOf("\r\n"));
                    String target = line.split(" ")[0] + " " + line.split(" ")[1];
                    if (!target.equals("GET /healthz")) {
                        requests.add(target);
                        if ((!onlyReused || n > 0) && resets.getAndDecrement() > 0) {
                            s.setSoLinger(true, 0);
                            return; // closing with SO_LINGER 0 sends a reset
                        }
                        int length = contentLength(head);
                        in.readNBytes(length);
                    }
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                // the proxy closed it
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            for (int c = in.read(); c >= 0; c = in.read()) {
                head.write(c);
                matched = (c == '\r' && matched % 2 == 0) || (c == '\n' && matched % 2 == 1) ? matched + 1 : 0;
                if (matched == 4) {
                    return head.toString(StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }

        private static int contentLength(String head) {
            for (String h : head.split("\r\n")) {
                int colon = h.indexOf(':');
                if (colon > 0 && h.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                    return Integer.parseInt(h.substring(colon + 1).trim());
                }
            }
            return 0;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
