package dev.baton.it;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open-loop load: {@code GET path} to 127.0.0.1:{@code port} at a fixed rate whatever the answers, each request on a
 * new raw connection with {@code Connection: close}, sent by a small pool of threads, until {@link #stop()} or until
 * {@code longest} has passed (so at most rate x longest requests). Every request ends as one {@link Outcome}:
 *
 * <ul>
 *   <li>{@code OK}: a whole 200 answer (its Content-Length of body).</li>
 *   <li>{@code REFUSED}: the connection was refused: nothing listens on the port (a closed listener).</li>
 *   <li>{@code FAILED}: anything else, described: another status, the connection closed or reset after it was
 *       accepted (before or inside the answer), a connect or read timeout.</li>
 * </ul>
 *
 * <p>A connection the kernel completed but that still sat in the accept queue when the listener closed is reset by
 * the kernel: to the client it is a request reset before any byte of the answer, which
 * {@link Result#resetUnanswered()} tells apart from other failures (the caller decides whether that was the close).
 *
 * <p>A request whose thread is busy is sent late rather than skipped (the pool's queue holds it), so a slow proxy
 * sees the same count of requests, later.
 */
final class Paced {

    /** How a request ended. */
    enum Outcome { OK, REFUSED, FAILED }

    /**
     * One request: its number, when it was started (wall clock, to set beside the daemon's log), how long it took,
     * how it ended. {@code resetUnanswered}: a FAILED request whose connection was reset before a byte of the answer
     * came, which is also what the kernel does to a connection still in the accept queue of a listener that closes
     * (Baton never saw it).
     */
    record Result(int number, long startedMillis, long millis, Outcome outcome, String detail,
                  boolean resetUnanswered) {
    }

    /** A request that connected gets this long for its whole answer. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int THREADS = 16;

    private final int port;
    private final String path;
    private final Duration longest;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "paced"));
    private final ExecutorService senders = Executors.newFixedThreadPool(THREADS, r -> thread(r, "paced-sender"));
    private final List<Result> results = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sent = new AtomicInteger();

    private Paced(int port, String path, Duration longest) {
        this.port = port;
        this.path = path;
        this.longest = longest;
    }

    /** Starts {@code perSecond} requests a second, for at most {@code longest}. */
    static Paced start(int port, String path, int perSecond, Duration longest) {
        Paced paced = new Paced(port, path, longest);
        long max = perSecond * Math.max(1, longest.toSeconds());
        long periodMicros = 1_000_000L / perSecond;
        paced.clock.scheduleAtFixedRate(() -> {
            int n = paced.sent.get();
            if (n >= max) {
                paced.clock.shutdown();
                return;
            }
            paced.sent.incrementAndGet();
            paced.senders.execute(() -> paced.results.add(paced.request(n)));
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
        return paced;
    }

    private Result request(int n) {
        Attempt attempt = new Attempt(n);
        Socket socket = new Socket();
        try (socket) {
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MILLIS);
            } catch (ConnectException e) {
                return attempt.ended(Outcome.REFUSED, "connection refused");
            }
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return answer(attempt, new BufferedInputStream(socket.getInputStream()));
        } catch (SocketTimeoutException e) {
            return attempt.ended(Outcome.FAILED, "timed out after " + attempt.bytes + " bytes of the answer: "
                    + e.getMessage());
        } catch (IOException e) {
            boolean reset = attempt.bytes == 0 && String.valueOf(e.getMessage()).contains("Connection reset");
            return new Result(n, attempt.startedMillis, attempt.millis(), Outcome.FAILED, attempt.describe(
                    "after connecting, " + attempt.bytes + " bytes of the answer: " + e), reset);
        }
    }

    /** One request under way: when it started and how many bytes of the answer came. */
    private final class Attempt {
        final int number;
        final long startedMillis = System.currentTimeMillis();
        final long startedNanos = System.nanoTime();
        int bytes;

        Attempt(int number) {
            this.number = number;
        }

        long millis() {
            return (System.nanoTime() - startedNanos) / 1_000_000;
        }

        String describe(String what) {
            return "GET " + path + " #" + number + ": " + what;
        }

        Result ended(Outcome outcome, String what) {
            return new Result(number, startedMillis, millis(), outcome, describe(what), false);
        }
    }

    /** Reads the answer: its head, then its body by Content-Length. */
    private static Result answer(Attempt attempt, InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int c = in.read();
            if (c < 0) {
                return attempt.ended(Outcome.FAILED, head.length() == 0 ? "closed before any answer"
                        : "closed inside the answer's head: " + head);
            }
            attempt.bytes++;
            head.append((char) c);
        }
        String statusLine = head.substring(0, head.indexOf("\r\n"));
        int length = -1;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        if (length < 0) {
            return attempt.ended(Outcome.FAILED, statusLine + " without a Content-Length");
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            return attempt.ended(Outcome.FAILED, statusLine + ": closed after " + body.length + " of " + length
                    + " body bytes");
        }
        if (!statusLine.startsWith("HTTP/1.1 200 ")) {
            return attempt.ended(Outcome.FAILED, statusLine + ": " + new String(body, StandardCharsets.UTF_8).strip());
        }
        return attempt.ended(Outcome.OK, statusLine);
    }

    /** Waits until every request of the run (rate x longest) was sent, then {@link #stop()}s. */
    Paced finish() {
        try {
            if (!clock.awaitTermination(longest.toMillis() + 10_000L, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("paced requests still being sent 10 s after the end of the run: " + this);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the paced load", e);
        }
        return stop();
    }

    /** Sends no more requests and waits for those sent to end; fails when one is still running much later. */
    Paced stop() {
        clock.shutdownNow();
        senders.shutdown();
        try {
            long patience = READ_TIMEOUT.toMillis() + CONNECT_TIMEOUT_MILLIS + 10_000L;
            if (!senders.awaitTermination(patience, TimeUnit.MILLISECONDS)) {
                senders.shutdownNow();
                throw new AssertionError("paced requests still running " + patience + " ms after the stop: " + this);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping the paced load", e);
        }
        return this;
    }

    /** The requests that ended so far, in the order they ended. */
    List<Result> results() {
        synchronized (results) {
            return List.copyOf(results);
        }
    }

    long count(Outcome outcome) {
        return results().stream().filter(r -> r.outcome() == outcome).count();
    }

    long ok() {
        return count(Outcome.OK);
    }

    /** The descriptions of the requests that ended {@code FAILED}, in the order they ended. */
    List<String> failures() {
        return results().stream().filter(r -> r.outcome() == Outcome.FAILED).map(Result::detail).toList();
    }

    /** The longest a request took so far, in ms. */
    long slowestMillis() {
        return results().stream().mapToLong(Result::millis).max().orElse(0);
    }

    @Override
    public String toString() {
        List<String> failed = failures();
        return sent.get() + " sent, " + results().size() + " ended: " + ok() + " ok, " + count(Outcome.REFUSED)
                + " refused, " + failed.size() + " failed" + (failed.isEmpty() ? "" : ": "
                + failed.subList(0, Math.min(5, failed.size()))) + "; slowest " + slowestMillis() + " ms";
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
