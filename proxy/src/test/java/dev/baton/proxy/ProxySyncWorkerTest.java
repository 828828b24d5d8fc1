package dev.baton.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A sync worker (one connection at a time, closed after each answer: gunicorn's sync worker) behind
 * {@code max_inflight = 1}: while it answers one request and others wait in Baton, the next request's connection
 * is already in its accept queue, so it never sits idle while Baton connects; and a connection opened ahead that
 * no request needs is closed at once, never left for the worker to wait on.
 */
class ProxySyncWorkerTest {

    @RegisterExtension
    final Backends backends = new Backends();

    private SyncWorker worker;

    @AfterEach
    void stopWorker() throws IOException {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void theNextRequestsConnectionWaitsInTheWorkersAcceptQueue() throws Exception {
        worker = SyncWorker.start();
        backends.views.add(new BackendView("web:0", 1, worker.address(), BackendView.Role.SERVING));
        ProxySettings s = backends.listenOnFreePort("web").toBuilder()
                .maxInflight(1).maxQueue(100).queueTimeout(Duration.ofSeconds(60))
                .healthInterval(Duration.ofSeconds(60)) // only the first check: no check connection in the queue
                .upstreamKeepaliveTimeout(Duration.ofSeconds(5)) // a spare left open would hold the worker 5 s
                .build();
        backends.serve(s);

        int clients = 4;
        int each = 15;
        ExecutorService threads = Executors.newFixedThreadPool(clients); // concurrent whatever the core count
        try {
            List<CompletableFuture<List<Integer>>> all = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                all.add(CompletableFuture.supplyAsync(() -> {
                    List<Integer> codes = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        try {
                            codes.add(backends.get("/work?delay=20&n=" + client + "-" + i).statusCode());
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return codes;
                }, threads));
            }
            for (CompletableFuture<List<Integer>> f : all) {
                assertEquals(Collections.nCopies(each, 200), f.get());
            }
        } finally {
            threads.shutdownNow();
        }
        int requests = clients * each;
        assertEquals(requests, worker.answered("/work"), "one answer per request, no retry");
        // without connections opened ahead, none is ever queued while the worker answers: max_inflight = 1
        assertTrue(worker.ahead() >= requests / 2, "answers with the next connection already waiting: "
                + worker.ahead() + " of " + requests);
        assertNeverHeldByAnUnusedSpare();

        HttpResponse<String> after = backends.get("/after");
        assertEquals(200, after.statusCode(), "the worker is free after the load");
        assertNeverHeldByAnUnusedSpare();
    }

    /** A spare nobody took was closed at once (by whoever got the worker, or a release finding nobody waiting). */
    private void assertNeverHeldByAnUnusedSpare() {
        assertTrue(worker.longestEmptyWaitMillis() < 2_500, "the worker waited " + worker.longestEmptyWaitMillis()
                + " ms (upstream_keepalive_timeout is 5 s) on a connection that brought no request: " + worker.log());
    }

    @Test
    void aLoneRequestGetsNoConnectionAhead() throws Exception {
        worker = SyncWorker.start();
        backends.views.add(new BackendView("web:0", 1, worker.address(), BackendView.Role.SERVING));
        ProxySettings s = backends.listenOnFreePort("web").toBuilder()
                .maxInflight(1).healthInterval(Duration.ofSeconds(60)).build();
        backends.serve(s);
        for (int i = 0; i < 5; i++) { // 150 ms at least: past the 100 ms pace of a backend's checks until it passes
            assertEquals(200, backends.get("/one?delay=30").statusCode());
        }
        assertEquals(5, worker.answered("/one"));
        assertEquals(1, worker.answered("/healthz"), "passed, the next check is health_interval (60 s) away: "
                + worker.log());
        assertEquals(0, worker.answered("(no request)"), "no connection opened ahead: nobody waits; " + worker.log());
        assertEquals(0, worker.ahead(), "no connection waited while the worker answered: " + worker.log());
    }

    /**
     * One thread, one connection at a time: accept, read the head, wait {@code delay=MS}, answer with
     * {@code Connection: close}, close. Notes whether another connection was already waiting when it answered, and
     * how long it waited on connections that brought no request.
     */
    static final class SyncWorker implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Selector selector;
        private final Thread thread;
        private final AtomicInteger ahead = new AtomicInteger();
        private final AtomicLong longestEmptyWait = new AtomicLong();
        private final List<String> answered = new ArrayList<>(); // guarded by itself
        private volatile boolean closed;

        private SyncWorker() throws IOException {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            thread = new Thread(this::run, "sync-worker");
            thread.setDaemon(true);
        }

        static SyncWorker start() throws IOException {
            SyncWorker w = new SyncWorker();
            w.thread.start();
            return w;
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) server.getLocalAddress();
        }

        int ahead() {
            return ahead.get();
        }

        long longestEmptyWaitMillis() {
            return longestEmptyWait.get();
        }

        /** The targets answered, and "(no request)" for each connection closed without one, in order. */
        String log() {
            synchronized (answered) {
                return String.join(" ", answered);
            }
        }

        int answered(String path) {
            synchronized (answered) {
                return (int) answered.stream().filter(t -> t.startsWith(path)).count();
            }
        }

        private void run() {
            try {
                while (!closed) {
                    SocketChannel c = server.accept();
                    if (c == null) {
                        selector.select();
                        selector.selectedKeys().clear();
                        continue;
                    }
                    try (c) {
                        serve(c);
                    } catch (IOException e) {
                        // the proxy closed or reset it: the next one
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    throw new IllegalStateException(e);
                }
            }
        }

        private void serve(SocketChannel c) throws IOException {
            c.configureBlocking(true);
            long accepted = System.nanoTime();
            StringBuilder head = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (head.indexOf("\r\n\r\n") < 0) {
                buf.clear();
                int n = c.read(buf);
                if (n < 0) {
                    if (head.length() == 0) {
                        synchronized (answered) {
                            answered.add("(no request)");
                        }
                        longestEmptyWait.accumulateAndGet((System.nanoTime() - accepted) / 1_000_000, Math::max);
                    }
                    return;
                }
                head.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
            }
            String target = head.substring(head.indexOf(" ") + 1, head.indexOf(" ", head.indexOf(" ") + 1));
            int delay = target.contains("delay=") ? Integer.parseInt(target.replaceAll(".*delay=([0-9]+).*", "$1")) : 0;
            if (delay > 0) {
                try {
                    Thread.sleep(delay); // the work of the request
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            selector.selectedKeys().clear();
            if (selector.selectNow() > 0) {
                ahead.incrementAndGet(); // another connection waits in the accept queue already
            }
            selector.selectedKeys().clear();
            synchronized (answered) {
                answered.add(target);
            }
            c.write(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
                    .getBytes(StandardCharsets.ISO_8859_1)));
        }

        @Override
        public void close() throws IOException {
            closed = true;
            selector.wakeup();
            server.close();
            selector.close();
        }
    }
}
