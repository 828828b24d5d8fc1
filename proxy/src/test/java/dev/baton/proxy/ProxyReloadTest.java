package dev.baton.proxy;

import dev.baton.proxy.BackendView.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a reload needs of the proxy, with real workers: held backends, the switch, draining. */
class ProxyReloadTest {

    /** A server's close frame with status 1001, going away. */
    private static final byte[] GOING_AWAY = {(byte) 0x88, 0x02, 0x03, (byte) 0xE9};

    @RegisterExtension
    final Backends backends = new Backends();
    private final RecordingListener listener = new RecordingListener();

    private BackendStats stats(int generation) {
        return backends.program.stats().backends().stream().filter(b -> b.generation() == generation)
                .findFirst().orElseThrow();
    }

    private String state(int generation) {
        return stats(generation).state();
    }

    private void publish(BackendView view, Role role) {
        backends.program.publish(List.of(new BackendView(view.id(), view.generation(), view.address(), role)));
    }

    /** Worker web:0 of generation 1 serving behind the proxy, the listener told about it. */
    private BackendView serveOneWorker() throws Exception {
        BackendView web = backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"), listener);
        return web;
    }

    /** A client connection through the proxy, upgraded to a WebSocket tunnel to the worker's echo. */
    private Raw tunnel() throws IOException {
        Raw raw = new Raw(backends.port);
        assertEquals(101, WebSocket.upgrade(raw, "/ws").status());
        return raw;
    }

    @Test
    void heldBackendGetsNoTrafficUntilServing() throws Exception {
        BackendView old = backends.start("web:0", 1, Role.SERVING, false);
        BackendView next = backends.start("web:0", 2, Role.HELD, false);
        backends.serve(backends.listenOnFreePort("web"), listener);
        Backends.await("generation 2 ready", () -> state(2).equals("READY"));
        assertEquals(1, listener.count("ready web:0@2"), "announced while held");
        long oldPid = backends.process(0).pid();
        for (int i = 0; i < 10; i++) {
            assertEquals(oldPid, Backends.pid(backends.get("/before")), "a held worker gets no request");
        }
        backends.program.publish(List.of(new BackendView(old.id(), 1, old.address(), Role.DRAINING),
                new BackendView(next.id(), 2, next.address(), Role.SERVING)));
        assertEquals("HEALTHY", state(2), "routable at the switch, without waiting for a check");
        assertEquals(backends.process(1).pid(), Backends.pid(backends.get("/after")));
        Backends.await("generation 1 drained", () -> listener.count("drained web:0@1") == 1);
        assertEquals(Set.of("ready web:0@1", "ready web:0@2", "drained web:0@1"), Set.copyOf(listener.texts()));
        assertEquals(3, listener.texts().size(), listener.texts().toString());
    }

    @Test
    void drainedFiresOnceWhenPublishedDrainingWithNothingInFlight() throws Exception {
        BackendView web = serveOneWorker();
        assertEquals(200, backends.get("/").statusCode());
        Backends.await("the request's slot given back", () -> stats(1).inflight() == 0);
        publish(web, Role.DRAINING);
        assertEquals(List.of("ready web:0@1", "drained web:0@1"), listener.texts(), "at the publish itself");
        publish(web, Role.STOPPING);
        backends.program.publish(List.of());
        assertEquals(1, listener.count("drained web:0@1"));
    }

    @Test
    void drainedFiresOnlyAfterTheSlowInFlightRequestCompletes() throws Exception {
        BackendView web = serveOneWorker();
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<String>> slow = backends.getAsync("/slow?ms=1000");
        Backends.await("the request in flight", () -> stats(1).inflight() == 1);
        publish(web, Role.DRAINING);
        assertEquals(0, listener.count("drained web:0@1"), "a request is in flight");
        assertEquals(200, slow.get(20, TimeUnit.SECONDS).statusCode());
        Backends.await("drained", () -> listener.count("drained web:0@1") == 1);
        long afterSend = TimeUnit.NANOSECONDS.toMillis(listener.nanos("drained web:0@1") - sent);
        assertTrue(afterSend >= 1000, "drained " + afterSend + " ms after the request, before its answer");
    }

    @Test
    void drainedWaitsForOpenWebSocketTunnelsToClose() throws Exception {
        BackendView web = serveOneWorker();
        try (Raw raw = tunnel()) {
            Backends.await("the tunnel counted", () -> stats(1).tunnels() == 1);
            assertEquals(0, stats(1).inflight(), "a tunnel holds no in-flight slot");
            publish(web, Role.DRAINING);
            assertEquals(0, listener.count("drained web:0@1"), "a tunnel is open");
            WebSocket.sendText(raw, "still open");
            assertEquals("still open", WebSocket.read(raw.in).text(), "draining keeps tunnels open");
        }
        Backends.await("drained once the client closed", () -> listener.count("drained web:0@1") == 1);
        assertEquals(0, stats(1).tunnels());
    }

    @Test
    void stoppingClosesAnOpenTunnelWith1001() throws Exception {
        BackendView web = serveOneWorker();
        try (Raw raw = tunnel()) {
            WebSocket.sendText(raw, "hello");
            assertEquals("hello", WebSocket.read(raw.in).text());
            publish(web, Role.STOPPING);
            assertArrayEquals(GOING_AWAY, raw.in.readNBytes(4));
            assertTrue(raw.closedByServer());
        }
        Backends.await("drained once the tunnel closed", () -> listener.count("drained web:0@1") == 1);
        assertEquals(0, stats(1).tunnels());
    }

    @Test
    void stoppingWaitsForTheEndOfTheWorkersFrameBeforeTheCloseFrame() throws Exception {
        BackendView web = serveOneWorker();
        try (Raw raw = tunnel()) {
            WebSocket.sendText(raw, "split 500");
            byte[] firstHalf = raw.in.readNBytes(52);
            assertEquals(0x81, firstHalf[0] & 0xFF);
            publish(web, Role.STOPPING);
            assertArrayEquals("s".repeat(50).getBytes(StandardCharsets.US_ASCII), raw.in.readNBytes(50),
                    "the frame in progress ends first");
            assertArrayEquals(GOING_AWAY, raw.in.readNBytes(4));
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void stoppingClosesATunnelStalledMidFrameWithoutACloseFrameAfterASecond() throws Exception {
        BackendView web = serveOneWorker();
        try (Raw raw = tunnel()) {
            WebSocket.sendText(raw, "split 20000");
            raw.in.readNBytes(52);
            long stopped = System.nanoTime();
            publish(web, Role.STOPPING);
            assertTrue(raw.closedByServer(), "nothing more: a close frame now would corrupt the worker's frame");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
            assertTrue(millis >= 900 && millis < 10_000, "closed after " + millis + " ms");
        }
    }
}
