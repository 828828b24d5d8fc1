package dev.baton.it;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP load, with every failure kept with its description. Two kinds:
 *
 * <ul>
 *   <li>{@link #start}: {@code threads} clients each sending GETs one after another (java.net.http) until
 *       {@code duration} has passed or {@code maxPerThread} were sent. Anything but a 200 (an error status or an
 *       I/O error) is a failure.</li>
 *   <li>{@link #keepAlive}: clients each on one raw persistent connection, alternating a GET and a POST with a body
 *       until {@link #stop()}. No request is retried behind the test's back: a connection closed or reset
 *       before the whole answer arrived, a status other than 200, or a body that does not match the request is a
 *       failure. Each answer is kept with the version that served it.</li>
 * </ul>
 */
final class Load {

    /**
     * One request of a keep-alive load that was answered correctly: when it was sent and answered
     * ({@link System#nanoTime()}), and the worker's {@code "version"} and {@code "master"} (0 when absent).
     */
    record Answer(long sentNanos, long answeredNanos, String version, long master) {
    }

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong ok = new AtomicLong();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopped;

    private Load() {
    }

    static Load start(int port, String path, int threads, Duration duration, int maxPerThread) {
        Load load = new Load();
        long deadline = System.nanoTime() + duration.toNanos();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> load.run(port, path, deadline, maxPerThread), "load-" + t);
            thread.setDaemon(true);
            load.threads.add(thread);
            thread.start();
        }
        return load;
    }

    /**
     * Starts {@code clients} keep-alive clients on 127.0.0.1:{@code port}. Client C sends, on its own connection,
     * {@code GET /load/C/N} for even N and {@code POST /load/C/N} with 1 to 8 KB of text for odd N, and expects a
     * 200 with a JSON object whose {@code "path"} is the request's path and, for a POST, whose {@code "size"} and
     * {@code "sha256"} are the body's (as fixtures/release_app.py answers). When an answer says
     * {@code Connection: close} the client opens a new connection, as any client would.
     */
    static Load keepAlive(int port, int clients) {
        Load load = new Load();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread thread = new Thread(() -> load.keepAliveClient(port, client), "keep-alive-" + c);
            thread.setDaemon(true);
            load.threads.add(thread);
            thread.start();
        }
        return load;
    }

    private void run(int port, String path, long deadline, int max) {
        HttpRequest request = HttpRequest.newBuilder(Http.uri(port, path)).timeout(Http.TIMEOUT).build();
        for (int i = 0; i < max && System.nanoTime() < deadline && !stopped; i++) {
            try {
                HttpResponse<String> response = Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    failures.add(response.statusCode() + " " + response.body().strip());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failures.add(e.toString());
            }
        }
    }

    private void keepAliveClient(int port, int client) {
        Random random = new Random(client);
        Http.Connection connection = null;
        for (int n = 0; !stopped; n++) {
            String path = "/load/" + client + "/" + n;
            String body = n % 2 == 0 ? null : text(random, 1024 + random.nextInt(7 * 1024));
            String request = body == null
                    ? "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    : "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body;
            String what = (body == null ? "GET " : "POST ") + path;
            long sent = System.nanoTime();
            try {
                if (connection == null) {
                    connection = new Http.Connection(port);
                }
                connection.send(request);
                Http.Raw raw = connection.read();
                if (raw == null) {
                    failures.add(what + ": connection closed before an answer");
                    connection = close(connection);
                    continue;
                }
                String problem = check(raw, path, body, sent);
                if (problem != null) {
                    failures.add(what + ": " + problem);
                } else {
                    ok.incrementAndGet();
                }
                if (raw.head().toLowerCase(Locale.ROOT).contains("\r\nconnection: close")) {
                    connection = close(connection);
                }
            } catch (IOException | RuntimeException e) {
                failures.add(what + ": " + e);
                connection = close(connection);
            }
        }
        close(connection);
    }

    /** Null when {@code raw} is the right answer to the request (and then records it); else what is wrong. */
    private String check(Http.Raw raw, String path, String body, long sent) {
        if (raw.status() != 200) {
            return raw.statusLine() + " " + raw.body().strip();
        }
        Map<String, Object> answer;
        try {
            answer = Json.object(raw.body());
        } catch (RuntimeException e) {
            return "200 with a body that is not a JSON object: " + raw.body();
        }
        if (!path.equals(answer.get("path"))) {
            return "answer for another path: " + raw.body().strip();
        }
        if (body != null && (!Long.valueOf(body.length()).equals(answer.get("size"))
                || !sha256(body).equals(answer.get("sha256")))) {
            return "the worker did not get the body that was sent (" + body.length() + " bytes): "
                    + raw.body().strip();
        }
        Object master = answer.get("master");
        answers.add(new Answer(sent, System.nanoTime(), String.valueOf(answer.get("version")),
                master instanceof Number m ? m.longValue() : 0));
        return null;
    }

    private static Http.Connection close(Http.Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
        return null;
    }

    private static String text(Random random, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        return s.toString();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    long ok() {
        return ok.get();
    }

    /** The correct answers of a keep-alive load so far, in no particular order. */
    List<Answer> answers() {
        synchronized (answers) {
            return List.copyOf(answers);
        }
    }

    /** Ends the clients after the request each is sending, and waits for them. */
    Load stop() {
        stopped = true;
        return join();
    }

    List<String> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    /** Waits for every client to finish (each is bounded in time already). */
    Load join() {
        for (Thread t : threads) {
            try {
                t.join(Http.TIMEOUT.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " still running");
            }
        }
        return this;
    }

    @Override
    public String toString() {
        List<String> f = failures();
        return ok() + " ok, " + f.size() + " failed" + (f.isEmpty() ? "" : ": " + f.subList(0, Math.min(5, f.size())));
    }
}
