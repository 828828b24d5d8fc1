package dev.baton.supervisor.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.proxy.Listener;
import dev.baton.proxy.ProxyLog;
import dev.baton.proxy.ProxyServer;
import dev.baton.supervisor.control.ReloadStep;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listening sockets handed from one proxy server to another over the handoff socket, as an upgrade does. */
class HandoffTest {

    private static final ProxyLog QUIET = new ProxyLog() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }
    };

    @TempDir
    Path dir;

    @Test
    void everyOfferedListenerArrivesAsADescriptorTheNewServerAdopts() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        InetSocketAddress tcp = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        DomainSocketAddress unix = new DomainSocketAddress(dir.resolve("web.sock").toString());
        try (ProxyServer old = ProxyServer.start(QUIET); ProxyServer next = ProxyServer.start(QUIET)) {
            List<Listener> listeners = List.of(old.bind(tcp), old.bind(unix));
            Map<String, Integer> fds;
            try (Handoff handoff = Handoff.offer(dir.resolve("baton.sock.upgrade"), listeners, reports(r -> { }));
                 Handoff.Taken taken = Handoff.take(dir.resolve("baton.sock.upgrade"), 10_000)) {
                fds = taken.fds();
            }
            assertEquals(java.util.Set.of("127.0.0.1:" + port, "unix:" + unix.path()), fds.keySet());
            Listener adoptedTcp = next.adopt(tcp, fds.get("127.0.0.1:" + port));
            Listener adoptedUnix = next.adopt(unix, fds.get("unix:" + unix.path()));
            listeners.forEach(Listener::handedOver);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                assertTrue(client.isConnected(), "the address still accepts once the old copy is closed");
            }
            assertTrue(Files.exists(Path.of(unix.path())), "a handed-over unix socket keeps its file");
            adoptedTcp.close();
            adoptedUnix.close();
        }
    }

    @Test
    void anAdoptedListenerClosedBeforeServingLeavesTheSocketToItsOwner() throws Exception {
        DomainSocketAddress unix = new DomainSocketAddress(dir.resolve("web.sock").toString());
        try (ProxyServer old = ProxyServer.start(QUIET); ProxyServer next = ProxyServer.start(QUIET)) {
            Listener original = old.bind(unix);
            Map<String, Integer> fds;
            try (Handoff handoff = Handoff.offer(dir.resolve("h.sock"), List.of(original), reports(r -> { }));
                 Handoff.Taken taken = Handoff.take(dir.resolve("h.sock"), 10_000)) {
                fds = taken.fds();
            }
            next.adopt(unix, fds.get("unix:" + unix.path())).close(); // the new daemon gives up: upgrade aborted
            assertTrue(Files.exists(Path.of(unix.path())), "the old daemon's socket file is still there");
            try (java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(
                    java.net.UnixDomainSocketAddress.of(unix.path()))) {
                assertTrue(client.isConnected(), "and still accepts connections");
            }
            original.close();
        }
    }

    @Test
    void nothingToOfferHandsOverNothing() throws Exception {
        try (Handoff handoff = Handoff.offer(dir.resolve("h.sock"), List.of(), reports(r -> { }));
             Handoff.Taken taken = Handoff.take(dir.resolve("h.sock"), 10_000)) {
            assertEquals(Map.of(), taken.fds());
        }
    }

    @Test
    void theNewDaemonsStepsThenItsReportReachTheOldOne() throws Exception {
        CompletableFuture<Handoff.Report> reported = new CompletableFuture<>();
        List<ReloadStep> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handoff.Watcher watcher = new Handoff.Watcher() {
            @Override
            public void step(ReloadStep step) {
                steps.add(step);
            }

            @Override
            public void report(Handoff.Report report) {
                reported.complete(report);
            }
        };
        try (Handoff handoff = Handoff.offer(dir.resolve("h.sock"), List.of(), watcher);
             Handoff.Taken taken = Handoff.take(dir.resolve("h.sock"), 10_000)) {
            taken.step(new ReloadStep("web", "web:0", 1, "started", "web:0 [gen 1] started, pid 7"));
            taken.step(new ReloadStep("web", "web:0", 1, "failed", "web:0 [gen 1] failed: exited too quickly"));
            taken.report(Handoff.Report.failed(42, "web:0: exited with status 1 while starting", "web:0",
                    List.of("Traceback (most recent call last):", "ImportError: no module named app")));
            Handoff.Report report = reported.get(10, TimeUnit.SECONDS);
            assertEquals(Handoff.Report.Result.FAILED, report.result());
            assertEquals(42, report.pid());
            assertEquals("ImportError: no module named app", report.lines().get(1));
            assertEquals(List.of("started", "failed"), steps.stream().map(ReloadStep::event).toList(),
                    "every step, in order, before the report");
        }
    }

    @Test
    void aNewDaemonThatDiesWithoutReportingIsAFailure() throws Exception {
        CompletableFuture<Handoff.Report> reported = new CompletableFuture<>();
        try (Handoff handoff = Handoff.offer(dir.resolve("h.sock"), List.of(), reports(reported::complete))) {
            Handoff.take(dir.resolve("h.sock"), 10_000).close();
            Handoff.Report report = reported.get(10, TimeUnit.SECONDS);
            assertEquals(Handoff.Report.Result.FAILED, report.result());
            assertTrue(report.reason().contains("before it was ready"), report.reason());
        }
    }

    @Test
    void noRunningDaemonIsAOneLineError() {
        IOException e = assertThrows(IOException.class, () -> Handoff.take(dir.resolve("nobody.sock"), 2_000));
        assertTrue(e.getMessage().startsWith("cannot reach the running daemon at "), e.getMessage());
    }

    /** A watcher that only hears reports. */
    private static Handoff.Watcher reports(java.util.function.Consumer<Handoff.Report> reports) {
        return new Handoff.Watcher() {
            @Override
            public void step(ReloadStep step) {
            }

            @Override
            public void report(Handoff.Report report) {
                reports.accept(report);
            }
        };
    }
}
