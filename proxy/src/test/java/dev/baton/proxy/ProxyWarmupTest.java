package dev.baton.proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Warm-up requests reach a new worker before its first real request; a failed warm-up keeps it pending. */
class ProxyWarmupTest {

    @RegisterExtension
    final Backends backends = new Backends();
    private final RecordingListener listener = new RecordingListener();

    private static ProxySettings warmingUp(ProxySettings s, String path, int requests, Duration responseTimeout) {
        return s.toBuilder().warmupPath(Optional.of(path)).warmupRequests(requests).responseTimeout(responseTimeout)
                .build();
    }

    /** The requests the worker received so far, health checks left out, the /seen request itself last. */
    private List<String> seen(int port) throws Exception {
        return backends.get(port, "/seen").body().lines().filter(line -> !line.startsWith("GET /healthz ")).toList();
    }

    @Test
    void warmupGetsReachTheWorkerBeforeItsFirstRealRequest() throws Exception {
        backends.start("web:0", false);
        backends.serve(warmingUp(backends.listenOnFreePort("web"), "/warm", 3, Duration.ofSeconds(10)), listener);
        List<String> seen = seen(backends.port);
        assertEquals(List.of("GET /warm baton-warmup", "GET /warm baton-warmup", "GET /warm baton-warmup"),
                seen.subList(0, 3), seen.toString());
        assertEquals(4, seen.size(), seen.toString());
        assertTrue(seen.get(3).startsWith("GET /seen Java-http-client"), seen.toString());
        assertEquals(List.of("ready web:0@1"), listener.texts());
        assertTrue(Backends.LOG_LINES.stream().anyMatch(line ->
                line.matches("web: backend web:0 \\[gen 1] warmed up with 3 GET /warm in \\d+ ms")),
                "no warm-up line in " + Backends.LOG_LINES);
    }

    @Test
    void warmupThatTimesOutKeepsTheBackendPendingAndIsTriedAgain() throws Exception {
        BackendView web = backends.start("web:0", false);
        int workerPort = ((InetSocketAddress) web.address()).getPort();
        backends.open(warmingUp(backends.listenOnFreePort("web"), "/hang", 2, Duration.ofMillis(300)), listener);
        Backends.await("a second warm-up", () -> {
            try {
                return seen(workerPort).stream().filter(line -> line.equals("GET /hang baton-warmup")).count() >= 2;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals("PENDING", backends.program.stats().backends().get(0).state());
        assertEquals(List.of(), listener.texts(), "never ready");
        assertTrue(Backends.LOG_LINES.contains(
                "web: backend web:0 [gen 1] warm-up failed: GET /hang 1/2: no answer within response_timeout"),
                "no failure line in " + Backends.LOG_LINES);
    }
}
