package dev.baton.proxy;

import dev.baton.proxy.BackendView.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each backend's own counts of the tries it got ({@link ProxiedProgram#backendTraffic}), from real requests
 * through the proxy to real workers: what {@code max_requests} and a canary's comparison read.
 */
class ProxyBackendTrafficTest {

    @RegisterExtension
    final Backends backends = new Backends();

    private BackendTraffic traffic(BackendView.Key key) {
        return backends.program.backendTraffic().stream().filter(t -> t.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError(key + " not listed: " + backends.program.backendTraffic()));
    }

    @Test
    void aWorkerAnswering500HasItsRequestsAndErrorsCountedAndTheOtherOnlyItsRequests() throws Exception {
        BackendView failing = backends.start("web:0", false);
        BackendView fine = backends.start("web:1", false);
        backends.serve(backends.listenOnFreePort("web"));
        int errors = 0;
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = backends.get("/fail?on=web:0");
            errors += r.statusCode() == 500 ? 1 : 0;
        }
        assertEquals(200, backends.get("/slow?ms=300").statusCode());
        BackendTraffic bad = traffic(failing.key());
        BackendTraffic good = traffic(fine.key());
        assertTrue(errors > 0 && errors < 10, errors + " of 10 answered 500: both workers took some");
        assertEquals(11, bad.requests() + good.requests(), bad + " " + good);
        assertEquals(errors, bad.errors(), "web:0's 500s: " + bad);
        assertEquals(0, good.errors(), good.toString());
        assertEquals(bad.requests(), bad.duration().count(), "every answered try is timed: " + bad);
        assertEquals(good.requests(), good.duration().count(), "every answered try is timed: " + good);
        BackendTraffic slowOne = bad.duration().sumSeconds() > good.duration().sumSeconds() ? bad : good;
        assertTrue(slowOne.duration().sumSeconds() >= 0.3, "the slow answer took 0.3 s: " + slowOne);
        assertTrue(slowOne.duration().quantile(1.0) >= 0.27, "the slowest try's bucket: " + slowOne.duration());
    }

    @Test
    void aFailedTryCountsAsARequestAndAnErrorWithoutADuration() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        assertEquals(502, backends.get("/close").statusCode()); // tried again until the retries run out
        long tries = backends.program.traffic().retries() + 1;
        BackendTraffic t = backends.program.backendTraffic().get(0);
        assertEquals(tries, t.requests(), t.toString());
        assertEquals(tries, t.errors(), t.toString());
        assertEquals(0, t.duration().count(), t.toString());
    }

    @Test
    void aLaterIncarnationOfTheSameWorkerAndGenerationIsAnotherBackendWithItsOwnCounts() throws Exception {
        BackendView first = backends.start("web:0", false);
        BackendView started = backends.start("web:0", false);
        BackendView replacement = new BackendView("web:0", 1, 1, started.address(), Role.SERVING, null);
        backends.views.set(1, replacement);
        backends.serve(backends.listenOnFreePort("web"));
        assertEquals(2, backends.program.stats().backends().size());
        Set<Long> pids = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            pids.add(Backends.pid(backends.get("/")));
        }
        assertEquals(Set.of(backends.process(0).pid(), backends.process(1).pid()), pids, "both get traffic");
        assertEquals(List.of(first.key(), replacement.key()), backends.program.backendTraffic().stream()
                .map(BackendTraffic::key).toList());
        long old = traffic(first.key()).requests();
        long fresh = traffic(replacement.key()).requests();
        assertTrue(old > 0 && fresh > 0 && old + fresh == 10, old + " and " + fresh);

        backends.program.publish(List.of(replacement)); // the first one gone: its counters with it
        assertEquals(List.of(replacement.key()), backends.program.backendTraffic().stream()
                .map(BackendTraffic::key).toList());
        assertEquals(fresh, traffic(replacement.key()).requests(), "the counts follow the backend across publishes");
        assertEquals("web:0@1.1", replacement.key().toString());
    }

    @Test
    void aWebSocketUpgradeCountsAsOneAnsweredTryAtItsHead() throws Exception {
        BackendView web = backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        try (Raw raw = new Raw(backends.port)) {
            assertEquals(101, WebSocket.upgrade(raw, "/ws").status());
            BackendTraffic t = traffic(web.key());
            assertEquals(1, t.requests(), "counted before the client saw the 101: " + t);
            assertEquals(0, t.errors());
            assertEquals(1, t.duration().count());
            WebSocket.sendText(raw, "hello");
            assertEquals("hello", WebSocket.read(raw.in).text());
        }
        assertEquals(1, traffic(web.key()).requests(), "the tunnel's frames are no requests");
    }
}
