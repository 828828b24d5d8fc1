package dev.baton.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.proxy.TrafficStats.UpstreamError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The counters behind Baton's metrics, from real requests through the proxy to a real worker: the status each
 * request got, how long it took, how long it waited for a worker, the tries sent again and why a try failed.
 */
class ProxyTrafficTest {

    @RegisterExtension
    final Backends backends = new Backends();

    @Test
    void everyRequestIsCountedByTheStatusItGotAndTimed() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        for (int i = 0; i < 5; i++) {
            assertEquals(200, backends.get("/").statusCode());
        }
        assertEquals(200, backends.get("/slow?ms=300").statusCode());
        try (Raw raw = new Raw(backends.port)) { // never reaches a worker: counted, not timed
            assertEquals(400, raw.send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nine\r\n\r\n").read().status());
        }

        TrafficStats t = backends.program.traffic();
        assertEquals(Map.of(200, 6L, 400, 1L), t.responses());
        assertEquals(6, t.duration().count());
        assertEquals(6, t.queueWait().count());
        assertTrue(t.duration().sumSeconds() >= 0.3, "the slow request alone took 0.3 s: " + t.duration());
        long[] buckets = t.duration().counts();
        int quarterSecond = Histogram.REQUEST_BUCKETS.indexOf(0.25);
        long slower = 0;
        for (int i = quarterSecond + 1; i < buckets.length; i++) {
            slower += buckets[i];
        }
        assertEquals(1, slower, "one request above 250 ms: " + t.duration());
        assertEquals(0, t.retries());
        assertEquals(List.of(), t.upstreamErrors());
    }

    @Test
    void failedTriesAreCountedByWorkerAndCauseAndRetriesByRequest() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        // the worker closes without answering: a GET goes again until its tries run out, then 502
        assertEquals(502, backends.get("/close").statusCode());
        TrafficStats t = backends.program.traffic();
        assertTrue(t.retries() >= 1, "retried: " + t);
        assertEquals(t.retries() + 1, errors(t, "web:0", UpstreamError.RESET), "each try failed: " + t);
    }

    @Test
    void aConnectionRefusedIsCountedAsRefused() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web").toBuilder().healthInterval(Duration.ofSeconds(60)).build());
        backends.process(0).destroyForcibly().waitFor(); // no check for 60 s: the request finds it gone
        int status = backends.get("/").statusCode();
        assertTrue(status == 502 || status == 503, "nobody listens: " + status);
        TrafficStats t = backends.program.traffic();
        assertEquals(1, errors(t, "web:0", UpstreamError.REFUSED), "the connection was refused: " + t);
        assertEquals(Map.of(status, 1L), t.responses());
    }

    private static long errors(TrafficStats t, String worker, UpstreamError reason) {
        return t.upstreamErrors().stream().filter(e -> e.worker().equals(worker) && e.reason() == reason)
                .mapToLong(TrafficStats.UpstreamErrors::count).sum();
    }
}
