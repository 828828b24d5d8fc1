package dev.baton.supervisor.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin address ({@code metrics_listen}) on TCP and on a unix socket, and two daemons on one port. */
class AdminServerTest {

    @TempDir
    Path dir;

    private final ControlApi api = new CannedApi();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The whole answer to {@code request}, read until the server closes the connection. */
    private static String exchange(InputStream in, OutputStream out, String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String tcp(int port, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(15_000);
            return exchange(s.getInputStream(), s.getOutputStream(), request);
        }
    }

    @Test
    void tcpServesMetricsAndNothingElse() throws Exception {
        int port = freePort();
        try (AdminServer server = AdminServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), api)) {
            String metrics = tcp(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(metrics.startsWith("HTTP/1.1 200 OK\r\n"), metrics);
            assertTrue(metrics.contains("content-type: text/plain; version=0.0.4; charset=utf-8\r\n"), metrics);
            assertTrue(metrics.endsWith("\r\n\r\n" + CannedApi.METRICS), metrics);
            String shutdown = tcp(port, "POST /v1/shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            assertTrue(shutdown.startsWith("HTTP/1.1 404 "), shutdown);
        }
    }

    @Test
    void tcpServesTheProbesToGetAndHead() throws Exception {
        int port = freePort();
        try (AdminServer server = AdminServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), api)) {
            String ready = tcp(port, "GET /ready HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(ready.startsWith("HTTP/1.1 200 OK\r\n"), ready);
            assertTrue(ready.endsWith("\r\n\r\nready\n"), ready);
            String unknown = tcp(port, "GET /ready?program=nope HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(unknown.startsWith("HTTP/1.1 404 "), unknown);
            String head = tcp(port, "HEAD /live HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
            assertTrue(head.contains("content-length: 5\r\n"), head);
            assertTrue(head.endsWith("\r\n\r\n"), "no body after the head: " + head);
        }
    }

    @Test
    void anUpgradesNewDaemonBindsThePortWhileTheOldOneStillServesIt() throws Exception {
        int port = freePort();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (AdminServer old = AdminServer.bind(address, api)) {
            try (AdminServer next = AdminServer.bind(address, api)) {
                assertTrue(tcp(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 200"));
            }
            assertTrue(tcp(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 200"),
                    "the other still serves");
        }
    }

    @Test
    void aUnixSocketPathIsTakenOverByTheNextDaemonAndRemovedByTheLastOneToHoldIt() throws Exception {
        Path socket = dir.resolve("metrics.sock");
        AdminServer old = AdminServer.bind(new DomainSocketAddress(socket.toString()), api);
        try (AdminServer next = AdminServer.bind(new DomainSocketAddress(socket.toString()), api)) {
            old.close(); // the old daemon exits after the upgrade: the path is the new one's
            assertTrue(unix(socket).startsWith("HTTP/1.1 200 OK\r\n"), "the new daemon serves the path");
            assertTrue(unix(socket).endsWith(CannedApi.METRICS));
        }
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(java.util.List.of(), files.toList(), "removed by its last holder, no temporary file");
        }
    }

    private static String unix(Path socket) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return exchange(Channels.newInputStream(ch), Channels.newOutputStream(ch),
                    "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        }
    }
}
