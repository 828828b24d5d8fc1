package dev.baton.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What clients of the listen address see when workers die, hang or misbehave, and when clients misbehave. */
class ProxyFailuresIT {

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private final int port = Http.freePort();

    @Test
    void sigkillingWorkersUnderLoadFailsNoRequestAndBatonRestartsThem() {
        Status before = sandbox.startProxiedDemo(port);
        long first = before.worker("web:1").pid();
        long second = before.worker("web:2").pid();

        Load load = Load.start(port, "/", 4, Duration.ofSeconds(4), 20_000);
        sandbox.await("200 answers before the first kill", () -> load.ok() >= 200);
        assertTrue(Procs.signal(first, "KILL"));
        long atFirstKill = load.ok();
        sandbox.await("200 more answers before the second kill", () -> load.ok() >= atFirstKill + 200);
        assertTrue(Procs.signal(second, "KILL"));
        load.join();

        assertEquals(0, load.failures().size(), load::toString);
        assertTrue(load.ok() >= 400, load::toString);
        Status after = sandbox.awaitStatus("web:1 and web:2 back, HEALTHY, with new pids", s -> ProxyStatus.healthy(s,
                "web", 4) && s.worker("web:1").pid() != first && s.worker("web:2").pid() != second);
        assertAll(after.toString(),
                () -> assertEquals(1, after.worker("web:1").restarts()),
                () -> assertEquals(1, after.worker("web:2").restarts()),
                () -> assertEquals(0, after.worker("web:0").restarts()),
                () -> assertEquals(before.worker("web:3").pid(), after.worker("web:3").pid()));
        long restarted = after.worker("web:1").pid();
        sandbox.await("a GET answered by the restarted web:1 (pid " + restarted + ")",
                () -> ((Number) Http.json(Http.get(port, "/")).get("pid")).longValue() == restarted);
    }

    @Test
    void requestsWhileTheOnlyWorkerRestartsWaitInTheQueueAndSucceed() {
        sandbox.startProxied(port, 1, "");
        long victim = sandbox.status().worker("web:0").pid();

        assertTrue(Procs.signal(victim, "KILL"));
        Load load = Load.start(port, "/", 2, Duration.ofSeconds(1), 1_000).join();

        assertEquals(0, load.failures().size(), load::toString);
        Status after = sandbox.awaitStatus("web:0 HEALTHY with a new pid", s -> ProxyStatus.healthy(s, "web", 1)
                && s.worker("web:0").pid() != victim);
        assertEquals(1, after.worker("web:0").restarts(), after::toString);
    }

    @Test
    void workerThatNeverAnswersGets504AfterResponseTimeoutWhileOtherRequestsAreServed() {
        sandbox.startProxied(port, 2, "response_timeout = \"1s\"");

        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> hung = Http.getAsync(port, "/hang");
        HttpResponse<String> meanwhile = Http.get(port, "/meanwhile");
        boolean hungStillWaiting = !hung.isDone();
        HttpResponse<String> timedOut = hung.join();
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;

        assertAll(
                () -> assertEquals(200, meanwhile.statusCode(), meanwhile::body),
                () -> assertTrue(hungStillWaiting, "GET /hang was still waiting while /meanwhile was answered"),
                () -> assertEquals(504, timedOut.statusCode(), timedOut::body),
                () -> assertTrue(waitedMillis >= 900 && waitedMillis < 5000, "504 after " + waitedMillis + " ms"));
        sandbox.awaitStatus("no request in flight after the 504", s -> ProxyStatus.inflight(s, "web:0") == 0
                && ProxyStatus.inflight(s, "web:1") == 0);
        for (int i = 0; i < 4; i++) {
            assertEquals(200, Http.get(port, "/after-" + i).statusCode(), "GET after the 504 (max_inflight 1)");
        }
    }

    @Test
    void clientThatHangsUpWhileItsRequestWaitsForTheWorkerGivesTheWorkersOnlySlotBack() throws IOException {
        sandbox.startProxied(port, 1, "");

        try (Http.Connection connection = new Http.Connection(port)) {
            long sent = System.nanoTime();
            connection.send("GET /hang HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            sandbox.awaitStatus("GET /hang in flight", s -> ProxyStatus.inflight(s, "web:0") == 1);
            // a FIN within 500 ms of the request is a half-close (the client still reads, it gets its answer);
            // a later one is a client that hung up: this test is about the latter
            sandbox.await("the request older than Baton's half-close grace",
                    () -> System.nanoTime() - sent > Duration.ofMillis(800).toNanos());
        }
        sandbox.awaitStatus("the slot given back when the client hung up", s -> ProxyStatus.inflight(s, "web:0") == 0);
        HttpResponse<String> next = Http.get(port, "/next");

        assertEquals(200, next.statusCode(), next::body);
        assertEquals(2L, Http.json(next).get("concurrent"), "the worker still sits on /hang: only Baton let it go");
    }

    @Test
    void postWhoseWorkerDiesBeforeAnsweringGets502AndIsNotRetriedOnAnotherWorker() {
        sandbox.startProxied(port, 3, "");

        HttpResponse<String> answer = Http.send(HttpRequest.newBuilder(Http.uri(port, "/exit")).timeout(Http.TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString("payload")).build());

        assertEquals(502, answer.statusCode(), answer::body);
        Status after = sandbox.awaitStatus("the dead worker restarted and HEALTHY", s -> ProxyStatus.healthy(s,
                "web", 3) && s.workers().stream().mapToLong(Status.Worker::restarts).sum() >= 1);
        assertEquals(1, after.workers().stream().mapToLong(Status.Worker::restarts).sum(),
                () -> "only one worker got the POST: " + after);
        assertEquals(200, Http.get(port, "/").statusCode());
    }

    @Test
    void smugglingOversizedAndSlowRequestHeadsAreRefusedAndTheDaemonKeepsServing() throws IOException {
        sandbox.startProxied(port, 1, "header_timeout = \"1s\"");

        String smuggling = statusLine("POST /digest HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        String oversized = statusLine("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
        long started = System.nanoTime();
        String slow = statusLine("GET / HTTP/1.1\r\nHost: x\r\n");
        long slowMillis = (System.nanoTime() - started) / 1_000_000;

        assertAll(
                () -> assertTrue(smuggling.startsWith("HTTP/1.1 400"), smuggling),
                () -> assertTrue(oversized.startsWith("HTTP/1.1 431"), oversized),
                () -> assertTrue(slow.startsWith("HTTP/1.1 408"), slow),
                () -> assertTrue(slowMillis >= 900 && slowMillis < 5000, "408 after " + slowMillis + " ms"));
        assertEquals(200, Http.get(port, "/").statusCode());
        assertEquals(0, sandbox.status().worker("web:0").restarts());
    }

    /** Backpressure: Baton reads a worker's answer only as fast as the client takes it. */
    @Test
    void clientThatStopsReadingHoldsBackTheWorkerInsteadOfBatonBufferingTheDownload() throws IOException {
        sandbox.startProxied(port, 1, "");
        long size = 256L << 20;
        Pattern streamed = Pattern.compile("streamed (\\d+) of " + size + " bytes");
        Path log = sandbox.logFile("web", 0, "out");
        long stalled;
        try (Http.Connection connection = new Http.Connection(port)) {
            connection.send("GET /bytes?n=" + size + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            String head = connection.readHead();
            assertTrue(head != null && head.startsWith("HTTP/1.1 200"), head);

            long[] last = {-1, System.nanoTime()};
            stalled = sandbox.await("the worker to stop streaming (no progress for 1 s) while the client reads"
                    + " nothing", () -> streamed.matcher(Sandbox.read(log)).results()
                    .mapToLong(m -> Long.parseLong(m.group(1))).max().orElse(0), sent -> {
                        if (sent != last[0]) {
                            last[0] = sent;
                            last[1] = System.nanoTime();
                            return false;
                        }
                        return System.nanoTime() - last[1] > 1_000_000_000L;
                    });
        }

        assertTrue(stalled < 64L << 20, () -> "the worker wrote " + stalled + " of " + size + " bytes to a client"
                + " that read none: Baton buffered them");
        sandbox.awaitStatus("the download's slot given back", s -> ProxyStatus.inflight(s, "web:0") == 0);
        assertEquals(200, Http.get(port, "/").statusCode());
    }

    /** Sends {@code head} raw on a new connection and answers the first response line. */
    private String statusLine(String head) throws IOException {
        try (Http.Connection connection = new Http.Connection(port)) {
            connection.send(head);
            Http.Raw response = connection.read();
            return response == null ? "(closed without a response)" : response.statusLine();
        }
    }

}
