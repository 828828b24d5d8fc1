package dev.baton.proxy;

import dev.baton.proxy.EdgeCase.AtWorker;
import dev.baton.proxy.EdgeCase.Expected;
import dev.baton.proxy.RecordingWorker.Broken;
import dev.baton.proxy.RecordingWorker.Cut;
import dev.baton.proxy.RecordingWorker.Event;
import dev.baton.proxy.RecordingWorker.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 11, the proxy at the edges of HTTP/1.1: raw bytes through a real proxy to a {@link RecordingWorker} that
 * parses strictly and logs what it got. For each case of {@link EdgeCorpus}: the client's statuses in order, the
 * close (or a further request answered on the same connection), what the worker received, and afterwards a GET on
 * a new connection answered 200 (at {@code max_inflight} 1, a slot the case left held would make it wait).
 * Stalled and slow bodies need their own {@code body_timeout}, so they are tests of their own.
 */
class EdgeCorpusTest {

    private static final String TE = "Transfer-Encoding: chunked\r\n";
    private static EdgeRig rig;
    private static boolean dirty;
    private static int alive;

    @BeforeAll
    static void startRig() throws IOException {
        System.out.println("corpus: " + EdgeCorpus.cases().size() + " cases");
        rig = EdgeRig.start(EdgeRig.settings("edge"));
    }

    @AfterAll
    static void stopRig() {
        if (rig != null) {
            rig.close();
        }
    }

    static List<EdgeCase> corpus() {
        return EdgeCorpus.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void edgeCaseIsAnsweredAndForwardedAsRfc9112Says(EdgeCase c) throws Exception {
        if (dirty) { // a failed case may have left the proxy or the worker in any state: start the next one clean
            rig = rig.restart();
            dirty = false;
        }
        try {
            run(c);
        } catch (Throwable t) {
            dirty = true;
            throw t;
        }
    }

    private static void run(EdgeCase c) throws IOException {
        int mark = rig.worker.mark();
        try {
            checkWorker(c, client(c), mark);
        } catch (AssertionError e) {
            String message = String.valueOf(e.getMessage());
            message = message.startsWith(c.name) ? message : c + ": " + message;
            throw new AssertionError(message + "\n  the worker got: " + rig.events(mark), e);
        }
    }

    /** Sends the case and checks what the client gets; answers the responses. */
    private static List<Raw.Response> client(EdgeCase c) throws IOException {
        List<Raw.Response> got;
        try (Raw raw = rig.connect()) {
            EdgeRig.send(raw, c.writes, c.fin);
            got = EdgeRig.responses(raw, c.statuses.size());
            List<Integer> statuses = EdgeRig.statuses(got);
            boolean closedEarly = got.size() < c.statuses.size();
            if (closedEarly && !(c.lastMayBeClose && got.size() == c.statuses.size() - 1)) {
                fail(c + ": expected statuses " + c.statuses + ", got " + statuses + " then a close");
            }
            assertEquals(c.statuses.subList(0, got.size()), statuses, c + ": statuses");
            if (c.closes) {
                assertTrue(closedEarly || EdgeRig.closes(raw), c + ": the proxy must close the connection after "
                        + statuses + ", but sent more");
            } else {
                String target = "/_alive/" + (++alive);
                Raw.Response more = EdgeRig.next(raw.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"));
                assertNotNull(more, c + ": the connection must stay open after " + statuses + ", but closed");
                assertEquals(RecordingWorker.answer("GET", target, new byte[0]), more.body(),
                        c + ": a further request on the same connection gets its own answer");
            }
        }
        return got;
    }

    /** After a probe: what the worker got from the case, and that the answers the client got were its own. */
    private static void checkWorker(EdgeCase c, List<Raw.Response> got, int mark) throws IOException {
        rig.probe();
        rig.awaitWorkerNotMidRequest();
        List<Event> events = rig.events(mark);
        List<Received> received = events.stream().filter(Received.class::isInstance).map(Received.class::cast)
                .toList();
        List<Event> broken = events.stream().filter(Broken.class::isInstance).toList();
        assertTrue(broken.isEmpty(), c + ": the proxy forwarded bytes the worker could not parse: " + broken);
        switch (c.atWorker) {
            case NOTHING -> assertTrue(events.isEmpty(), c + ": the worker must receive nothing, got " + events);
            case NO_COMPLETE_REQUEST -> assertTrue(received.isEmpty(),
                    c + ": the worker must receive no complete request, got " + events);
            case THESE_REQUESTS -> {
                List<String> want = c.requests.stream().map(Expected::toString).toList();
                List<String> have = received.stream().map(r -> r.request().toString()).toList();
                assertEquals(want, have, c + ": the worker must receive exactly these requests (all events: "
                        + events + ")");
                assertTrue(events.stream().noneMatch(Cut.class::isInstance), c + ": a worker connection was cut "
                        + "in the middle of a request: " + events);
                List<Raw.Response> ok = got.stream().filter(r -> r.status() == 200).toList();
                for (int i = 0; i < ok.size(); i++) {
                    assertEquals(c.requests.get(i).answer(), ok.get(i).body(),
                            c + ": answer " + i + " belongs to request " + i);
                }
            }
        }
        if (c.atWorker != AtWorker.THESE_REQUESTS) {
            assertTrue(got.stream().noneMatch(r -> r.status() == 200), c + ": nothing may be answered 200");
        }
    }

    @Test
    void stalledContentLengthBodyIs408AndTheWorkerConnectionIsClosed() throws Exception {
        stalledBody(EdgeCorpus.post("/stall/cl", "Content-Length: 20\r\n", "hello"));
    }

    @Test
    void stalledChunkedBodyIs408AndTheWorkerConnectionIsClosed() throws Exception {
        stalledBody(EdgeCorpus.post("/stall/chunked", TE, "5\r\nhello\r\n"));
    }

    /** {@code request} is sent whole, and its body is left unfinished: the client is silent afterwards. */
    private static void stalledBody(String request) throws IOException {
        try (EdgeRig own = EdgeRig.start(EdgeRig.settings("stall").bodyTimeout(Duration.ofSeconds(1)))) {
            int mark = own.worker.mark();
            try (Raw raw = own.connect()) {
                long start = System.nanoTime();
                EdgeRig.send(raw, List.of(latin1(request)), false);
                Raw.Response r = EdgeRig.next(raw);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertNotNull(r, "a stalled body gets 408 before the close, got a bare close after " + millis + " ms");
                assertEquals(408, r.status(), "a stalled body is answered 408 (after " + millis + " ms)");
                assertTrue(EdgeRig.closes(raw), "the connection closes after the 408");
                System.out.println("stalled body: 408 after " + millis + " ms");
            }
            own.awaitWorkerNotMidRequest();
            List<Event> events = own.events(mark);
            assertTrue(events.stream().noneMatch(e -> e instanceof Received || e instanceof Broken),
                    "the worker gets no complete request of a stalled body: " + events);
            own.probe();
        }
    }

    /**
     * A worker that reads nothing for two seconds holds the body up (backpressure): the client is not silent, the
     * proxy stopped reading, so {@code body_timeout} must not fire. 32 MiB is more than the socket buffers between.
     */
    @Test
    void bodyHeldUpByAWorkerNotReadingIsNoBodyTimeout() throws Exception {
        byte[] body = new byte[32 * 1024 * 1024];
        java.util.Arrays.fill(body, (byte) 'b');
        String target = "/held?hold=2000";
        try (EdgeRig own = EdgeRig.start(EdgeRig.settings("held").bodyTimeout(Duration.ofSeconds(1)))) {
            try (Raw raw = own.connect()) {
                raw.send(EdgeCorpus.post(target, "Content-Length: " + body.length + "\r\n", ""));
                EdgeRig.send(raw, List.of(body), false);
                Raw.Response r = EdgeRig.next(raw);
                assertNotNull(r, "a body held up by the worker is answered, not closed");
                assertEquals(200, r.status(), r.body());
                assertEquals(RecordingWorker.answer("POST", target, body), r.body());
            }
            own.probe();
        }
    }

    @Test
    void slowButSteadyContentLengthBodyIsServedWhole() throws Exception {
        slowBody(false);
    }

    @Test
    void slowButSteadyChunkedBodyIsServedWhole() throws Exception {
        slowBody(true);
    }

    /** Ten pieces 200 ms apart: two seconds of body, never a second of silence. */
    private static void slowBody(boolean chunked) throws IOException {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pieces.add("piece-" + i + ";");
        }
        String body = String.join("", pieces);
        String target = chunked ? "/slow/chunked" : "/slow/cl";
        try (EdgeRig own = EdgeRig.start(EdgeRig.settings("slow").bodyTimeout(Duration.ofSeconds(1)))) {
            int mark = own.worker.mark();
            try (Raw raw = own.connect()) {
                raw.send(EdgeCorpus.post(target, chunked ? TE : "Content-Length: " + body.length() + "\r\n", ""));
                for (String p : pieces) {
                    EdgeRig.pause(200);
                    raw.send(chunked ? Integer.toHexString(p.length()) + "\r\n" + p + "\r\n" : p);
                }
                if (chunked) {
                    raw.send("0\r\n\r\n");
                }
                Raw.Response r = EdgeRig.next(raw);
                assertNotNull(r, "a slow but steady body is answered, not closed");
                assertEquals(200, r.status(), r.body());
                assertEquals(RecordingWorker.answer("POST", target, latin1(body)), r.body());
            }
            own.probe();
            List<Event> events = own.events(mark);
            assertTrue(events.size() == 1 && events.get(0) instanceof Received r
                    && Expected.of("POST", target, body).matches(r.request()),
                    "the worker gets the slow body whole, once: " + events);
        }
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
