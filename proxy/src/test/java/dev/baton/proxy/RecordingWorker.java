package dev.baton.proxy;

import dev.baton.proxy.StrictRequestReader.Malformed;
import dev.baton.proxy.StrictRequestReader.Request;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A worker in Java on 127.0.0.1 that parses requests strictly itself ({@link StrictRequestReader}) and records,
 * in one ordered log, every complete request each connection received, and how each connection ended: between
 * requests, in the middle of one (with the bytes of it that came), or on a request that broke the grammar. It
 * answers each complete request {@code 200} with keep-alive and the body {@code "METHOD TARGET LENGTH SHA256\n"}
 * ({@link #answer}); a malformed one {@code 400} with close. A thread per connection, at most
 * {@link #MAX_CONNECTIONS}.
 *
 * <p>A request asks for slowness in its target's query: {@code hold=MS} waits that long after the head before
 * reading the body, {@code delay=MS} waits that long before answering. Connections that never sent a byte (the
 * proxy's TCP health checks) are not recorded.
 */
final class RecordingWorker implements AutoCloseable {

    static final int MAX_CONNECTIONS = 64;

    /** What happened on one worker connection; the log keeps the order in which things happened. */
    sealed interface Event permits Received, Cut, Broken, Ended {
        int connection();
    }

    /** A complete request. Recorded before it is answered. */
    record Received(int connection, Request request) implements Event {
    }

    /** The connection ended (closed or reset) in the middle of a request, after these bytes of it. */
    record Cut(int connection, byte[] bytes, String how) implements Event {
        @Override
        public String toString() {
            return "Cut[" + connection + ", " + how + ", " + StrictRequestReader.Bytes.show(bytes) + "]";
        }
    }

    /** A request that broke the grammar: the worker answered 400 and closed. */
    record Broken(int connection, String reason, byte[] bytes) implements Event {
        @Override
        public String toString() {
            return "Broken[" + connection + ", " + reason + ", " + StrictRequestReader.Bytes.show(bytes) + "]";
        }
    }

    /** The connection ended between requests, after this many. */
    record Ended(int connection, int requests) implements Event {
    }

    private static final Pattern HOLD = Pattern.compile("[?&]hold=([0-9]+)");
    private static final Pattern DELAY = Pattern.compile("[?&]delay=([0-9]+)");

    private final ServerSocket server;
    private final ThreadPoolExecutor threads;
    private final List<Event> log = new ArrayList<>(); // guarded by itself
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<Integer, StrictRequestReader> readers = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    private RecordingWorker() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        AtomicInteger n = new AtomicInteger();
        threads = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 10, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "recording-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A worker listening on a free loopback port. */
    static RecordingWorker start() throws IOException {
        RecordingWorker w = new RecordingWorker();
        Thread accept = new Thread(w::acceptLoop, "recording-worker-accept");
        accept.setDaemon(true);
        accept.start();
        return w;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** The body of the answer to {@code method target} with this body. */
    static String answer(String method, String target, byte[] body) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(body);
            return method + " " + target + " " + body.length + " " + HexFormat.of().formatHex(sha) + "\n";
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A position in the log, for {@link #since}. */
    int mark() {
        synchronized (log) {
            return log.size();
        }
    }

    /** What was logged from {@code mark} on. */
    List<Event> since(int mark) {
        synchronized (log) {
            return List.copyOf(log.subList(mark, log.size()));
        }
    }

    /** True when some connection has received part of a request and is neither done with it nor closed. */
    boolean midRequest() {
        return readers.values().stream().anyMatch(StrictRequestReader::started);
    }

    /** Polls {@code condition} every 10 ms until it holds, failing with {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            int id = ids.incrementAndGet();
            open.add(s);
            try {
                threads.execute(() -> serve(id, s));
            } catch (RejectedExecutionException e) {
                quietClose(s); // more than MAX_CONNECTIONS at once
            }
        }
    }

    private void serve(int id, Socket s) {
        int served = 0;
        StrictRequestReader reader = null;
        try { // not try-with-resources: the 400 for a malformed request is written in the catch
            reader = new StrictRequestReader(new BufferedInputStream(s.getInputStream()));
            readers.put(id, reader);
            OutputStream out = s.getOutputStream();
            while (true) {
                Request head = reader.head();
                if (head == null) {
                    if (served > 0) {
                        record(new Ended(id, served));
                    }
                    return;
                }
                pause(HOLD.matcher(head.target()));
                Request request = reader.body(head);
                record(new Received(id, request));
                served++;
                pause(DELAY.matcher(request.target()));
                boolean close = request.version().equals("HTTP/1.0")
                        || request.header("Connection").stream().anyMatch(v -> v.equalsIgnoreCase("close"));
                respond(out, "200 OK", answer(request.method(), request.target(), request.body()), close);
                if (close) {
                    return;
                }
            }
        } catch (Malformed e) {
            record(new Broken(id, e.getMessage(), reader.pending()));
            try {
                respond(s.getOutputStream(), "400 Bad Request", e.getMessage() + "\n", true);
            } catch (IOException ignored) {
                // the proxy went away too
            }
        } catch (IOException e) {
            if (reader != null && reader.started()) {
                record(new Cut(id, reader.pending(), e instanceof EOFException ? "closed" : e.toString()));
            } else if (served > 0) {
                record(new Ended(id, served));
            }
        } finally {
            readers.remove(id);
            open.remove(s);
            quietClose(s);
        }
    }

    private void record(Event e) {
        synchronized (log) {
            log.add(e);
        }
    }

    /** Waits the milliseconds the query asks for, or less when the worker closes. */
    private void pause(Matcher m) {
        if (!m.find()) {
            return;
        }
        try {
            closed.await(Long.parseLong(m.group(1)), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void respond(OutputStream out, String status, String text, boolean close) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.ISO_8859_1);
        String head = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        open.forEach(RecordingWorker::quietClose);
        threads.shutdownNow();
    }
}
