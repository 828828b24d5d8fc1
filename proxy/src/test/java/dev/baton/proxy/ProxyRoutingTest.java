package dev.baton.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxy in front of real Python workers: routing, keep-alive, bodies, failures. */
class ProxyRoutingTest {

    @RegisterExtension
    final Backends backends = new Backends();

    @Test
    void requestsSpreadOverAllHealthyWorkers() throws Exception {
        for (int i = 0; i < 3; i++) {
            backends.start("web:" + i, false);
        }
        backends.serve(backends.listenOnFreePort("web"));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = backends.get("/hello");
            assertEquals(200, r.statusCode());
            seen.add(Backends.name(r));
        }
        assertEquals(Set.of("web:0", "web:1", "web:2"), seen);
    }

    @Test
    void keepAliveCarriesSeveralRequestsOnOneClientConnection() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        try (Raw raw = new Raw(backends.port)) {
            for (int i = 0; i < 3; i++) {
                Raw.Response r = raw.send("GET /n" + i + " HTTP/1.1\r\nHost: app\r\n\r\n").read();
                assertEquals(200, r.status());
                assertTrue(r.body().contains("\"/n" + i + "\""), r.body());
            }
        }
    }

    @Test
    void forwardedHeadersAreSetAndHopByHopHeadersRemoved() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        try (Raw raw = new Raw(backends.port)) {
            Raw.Response r = raw.send("GET / HTTP/1.1\r\nHost: app.example\r\nConnection: keep-alive, X-Secret\r\n"
                    + "X-Secret: 1\r\nX-Forwarded-For: 6.6.6.6\r\nKeep-Alive: timeout=5\r\n\r\n").read();
            assertTrue(r.body().contains("\"x-forwarded-for\": \"127.0.0.1\""), r.body());
            assertTrue(r.body().contains("\"x-forwarded-proto\": \"http\""), r.body());
            assertTrue(r.body().contains("\"x-forwarded-host\": \"app.example\""), r.body());
            assertTrue(r.body().contains("\"host\": \"app.example\""), r.body());
            assertTrue(!r.body().contains("x-secret") && !r.body().contains("keep-alive\": \"timeout"), r.body());
        }
    }

    @Test
    void postBodiesArriveIntactWithLengthOrChunked() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        byte[] body = new byte[300_000];
        new java.util.Random(7).nextBytes(body);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        HttpResponse<String> r = backends.http.send(HttpRequest.newBuilder(backends.uri("/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.body().contains(sha), r.body());
        try (Raw raw = new Raw(backends.port)) {
            Raw.Response chunked = raw.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertTrue(chunked.body().contains("\"received\": 11"), chunked.body());
        }
    }

    @Test
    void chunkedAndHttp10ResponsesReachAKeepAliveClientIntact() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        try (Raw raw = new Raw(backends.port)) {
            Raw.Response chunked = raw.send("GET /chunked?n=3 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("part-0\npart-1\npart-2\n", chunked.body());
            Raw.Response old = raw.send("GET /http10 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals("old-style body\n", old.body());
            assertEquals("chunked", old.headers().get("transfer-encoding"));
            Raw.Response after = raw.send("GET /still-open HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertEquals(200, after.status(), "the client connection survives a close-delimited worker response");
        }
    }

    @Test
    void http10ClientGetsItsResponseAndTheConnectionCloses() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        try (Raw raw = new Raw(backends.port)) {
            Raw.Response r = raw.send("GET /x HTTP/1.0\r\n\r\n").read();
            assertEquals(200, r.status());
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void noWorkerWithinQueueTimeoutIs503WithRetryAfter() throws Exception {
        ProxySettings s = backends.listenOnFreePort("web");
        s = s.toBuilder().maxInflight(1).maxQueue(10).queueTimeout(Duration.ofMillis(300)).build();
        backends.serve(s);
        HttpResponse<String> r = backends.get("/");
        assertEquals(503, r.statusCode());
        assertTrue(r.headers().firstValue("retry-after").isPresent());
    }

    @Test
    void workerThatNeverAnswersIs504() throws Exception {
        backends.start("web:0", false);
        ProxySettings s = backends.listenOnFreePort("web");
        s = s.toBuilder().maxInflight(0).maxQueue(10).responseTimeout(Duration.ofMillis(500)).build();
        backends.serve(s);
        assertEquals(504, backends.get("/hang").statusCode());
        assertEquals(200, backends.get("/after").statusCode(), "the proxy keeps serving");
    }

    @Test
    void maxInflightQueuesRequestsInsideBatonAndServesThemAll() throws Exception {
        backends.start("web:0", false);
        ProxySettings s = backends.listenOnFreePort("web");
        s = s.toBuilder().maxInflight(1).maxQueue(10).build();
        backends.serve(s);
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            all.add(backends.getAsync("/slow?ms=200"));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            assertEquals(200, f.get().statusCode());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 750, "one at a time through one worker: " + millis + " ms");
    }

    @Test
    void killingAWorkerUnderLoadFailsNoGetRequest() throws Exception {
        for (int i = 0; i < 3; i++) {
            backends.start("web:" + i, false);
        }
        backends.serve(backends.listenOnFreePort("web"));
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        for (int c = 0; c < 4; c++) {
            clients.execute(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = backends.get("/slow?ms=20");
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add("status " + r.statusCode() + ": " + r.body());
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            });
        }
        Backends.await("some traffic", () -> ok.get() > 40);
        backends.process(1).destroyForcibly().waitFor();
        int before = ok.get();
        Backends.await("traffic after the kill", () -> ok.get() > before + 100);
        running.set(false);
        clients.shutdown();
        clients.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(List.of(), failures);
    }

    @Test
    void aGetWhoseWorkerDiesRightAfterItsHeadIsAnsweredWholeByAnotherWorker() throws Exception {
        BackendView dying = backends.start("web:0", false);
        backends.start("web:1", false);
        backends.serve(backends.listenOnFreePort("web"));
        for (int i = 0; i < 4; i++) { // a raw client: java.net.http would retry a GET whose connection closed
            try (Raw client = new Raw(backends.port)) {
                Raw.Response r = client.send("GET /head-then-close?on=web:0&i=" + i + " HTTP/1.1\r\nHost: x\r\n"
                        + "Connection: close\r\n\r\n").read();
                assertEquals(200, r.status(), r::body);
                assertTrue(r.body().contains("\"name\": \"web:1\""), () -> "answered whole by web:1: " + r.body());
            }
        }
        int port = ((java.net.InetSocketAddress) dying.address()).getPort();
        HttpResponse<String> seen = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/seen")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(seen.body().contains("GET /head-then-close"), () -> "web:0 got one of the GETs: " + seen.body());
    }
}
