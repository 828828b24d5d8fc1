package dev.baton.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real {@link ProxyServer} serving one program on a loopback port in front of one {@link RecordingWorker}, and
 * the raw-socket client side of the edge tests: send bytes in several writes, read the answers, tell a close from
 * silence, and probe that the worker's slot is free. Targets starting with {@code /_} are the harness's own.
 */
final class EdgeRig implements AutoCloseable {

    /** How long the polls of the edge tests wait (the client's socket read timeout is Raw's 15 s). */
    static final Duration PATIENCE = Duration.ofSeconds(15);
    /** Pause between two writes of one case, so the proxy reads them apart (the split is what is tested). */
    private static final long WRITE_GAP_MILLIS = 5;

    final RecordingWorker worker;
    final ProxiedProgram program;
    final int port;
    private final ProxyServer server;
    private final ProxySettings.Builder settings;
    private int probes;

    private EdgeRig(RecordingWorker worker, ProxyServer server, ProxiedProgram program, int port,
                    ProxySettings.Builder settings) {
        this.worker = worker;
        this.server = server;
        this.program = program;
        this.port = port;
        this.settings = settings;
    }

    /**
     * Settings for edge tests: one worker at {@code max_inflight} 1 (a slot held by a broken exchange shows as a
     * probe that waits), TCP health checks (the worker logs no probe requests), no warm-up, waits well under
     * {@link #PATIENCE}.
     */
    static ProxySettings.Builder settings(String name) {
        return ProxySettings.builder(name)
                .healthCheck(Optional.empty())
                .healthInterval(Duration.ofSeconds(1))
                .healthTimeout(Duration.ofSeconds(1))
                .warmupRequests(0)
                .maxInflight(1)
                .maxQueue(100)
                .queueTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(2))
                .responseTimeout(Duration.ofSeconds(10))
                .headerTimeout(Duration.ofSeconds(5))
                .keepaliveTimeout(Duration.ofSeconds(30));
    }

    /** A new worker and the proxy in front of it, once the proxy counts the worker healthy. */
    static EdgeRig start(ProxySettings.Builder settings) throws IOException {
        RecordingWorker worker = RecordingWorker.start();
        int port = Backends.freePort();
        ProxyServer server = ProxyServer.start(Backends.QUIET);
        ProxiedProgram program;
        try {
            program = server.serve(settings.listen(
                    List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))).build());
        } catch (IOException | RuntimeException e) {
            server.close();
            worker.close();
            throw e;
        }
        program.publish(List.of(new BackendView("edge:0", 1, worker.address(), BackendView.Role.SERVING)));
        EdgeRig rig = new EdgeRig(worker, server, program, port, settings);
        try {
            RecordingWorker.await("the proxy to count the worker healthy", PATIENCE, () -> program.stats()
                    .backends().stream().anyMatch(b -> b.state().equals("HEALTHY")));
        } catch (AssertionError e) {
            rig.close();
            throw e;
        }
        return rig;
    }

    /** This rig closed and a fresh one with the same settings (after a failure, so the next test starts clean). */
    EdgeRig restart() throws IOException {
        close();
        return start(settings);
    }

    /** A new client connection to the proxy, with Nagle off so each write leaves at once. */
    Raw connect() throws IOException {
        Raw raw = new Raw(port);
        raw.socket.setTcpNoDelay(true);
        return raw;
    }

    /**
     * Writes each piece (a short gap between pieces), then half-closes the connection when {@code fin}. Stops
     * writing when the proxy has closed the connection already (a refusal may come before the last piece); what
     * it answered can still be read.
     */
    static void send(Raw raw, List<byte[]> writes, boolean fin) {
        try {
            for (int i = 0; i < writes.size(); i++) {
                if (i > 0) {
                    pause(WRITE_GAP_MILLIS);
                }
                raw.out.write(writes.get(i));
                raw.out.flush();
            }
            if (fin) {
                raw.socket.shutdownOutput();
            }
        } catch (IOException e) {
            // closed or reset by the proxy: its answer, if any, is in the receive buffer
        }
    }

    /** Sleeps a pacing gap: the timing is the behaviour under test, nothing is waited for. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The next response, or null when the proxy closed (or reset) the connection first. */
    static Raw.Response next(Raw raw) throws IOException {
        try {
            return raw.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer and no close within the client's read timeout");
        } catch (IOException e) {
            return null;
        }
    }

    /** Up to {@code max} responses, fewer when the connection closes first. */
    static List<Raw.Response> responses(Raw raw, int max) throws IOException {
        List<Raw.Response> got = new ArrayList<>();
        for (Raw.Response r = max > 0 ? next(raw) : null; r != null; r = got.size() < max ? next(raw) : null) {
            got.add(r);
        }
        return got;
    }

    /** True when the proxy closes the connection; false when more bytes come. Fails when neither happens. */
    static boolean closes(Raw raw) throws IOException {
        try {
            return raw.closedByServer();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection is neither closed nor answered within the read timeout");
        }
    }

    /** The statuses of these responses, for messages. */
    static List<Integer> statuses(List<Raw.Response> responses) {
        return responses.stream().map(Raw.Response::status).toList();
    }

    /**
     * A GET of a fresh {@code /_probe/N} on a new connection, answered by the worker: fails unless the answer is
     * the worker's 200 for it (the worker's slot was freed, nothing stale answered instead).
     */
    void probe() throws IOException {
        String target = "/_probe/" + (++probes);
        try (Raw raw = connect()) {
            Raw.Response r = next(raw.send("GET " + target + " HTTP/1.1\r\nHost: probe\r\n\r\n"));
            String expected = RecordingWorker.answer("GET", target, new byte[0]);
            if (r == null || r.status() != 200 || !r.body().equals(expected)) {
                throw new AssertionError("probe GET " + target + " on a new connection: expected the worker's 200, got "
                        + (r == null ? "a close" : r.status() + " " + StrictRequestReader.Bytes.show(r.body())));
            }
        }
    }

    /** What the worker logged from {@code mark} on, without the harness's own requests. */
    List<RecordingWorker.Event> events(int mark) {
        return worker.since(mark).stream()
                .filter(e -> !(e instanceof RecordingWorker.Received r && r.request().target().startsWith("/_")))
                .filter(e -> !(e instanceof RecordingWorker.Ended))
                .toList();
    }

    /** Waits until no worker connection is left in the middle of a request (the proxy closed those). */
    void awaitWorkerNotMidRequest() {
        RecordingWorker.await("no worker connection left in the middle of a request", PATIENCE,
                () -> !worker.midRequest());
    }

    @Override
    public void close() {
        program.close();
        server.close();
        worker.close();
    }
}
