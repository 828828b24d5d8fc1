package dev.baton.proxy;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Large bodies stream with bounded memory; WebSockets tunnel; unix sockets on both sides; bad requests. */
class ProxyStreamingTest {

    private static final long MB = 1024 * 1024;

    @RegisterExtension
    final Backends backends = new Backends();

    @Test
    void largeDownloadAndUploadStreamThroughWithBoundedMemory() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        long size = 256 * MB;
        long peak = 0;
        try (Raw raw = new Raw(backends.port)) {
            raw.send("GET /download?bytes=" + size + " HTTP/1.1\r\nHost: a\r\n\r\n");
            while (!raw.line().isEmpty()) {
                // headers
            }
            byte[] buf = new byte[256 * 1024];
            long got = 0;
            while (got < size) {
                int n = raw.in.read(buf, 0, (int) Math.min(buf.length, size - got));
                assertTrue(n > 0, "download ended early at " + got);
                got += n;
                peak = Math.max(peak, PlatformDependent.usedDirectMemory());
            }
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), backends.port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] block = new byte[256 * 1024];
            Arrays.fill(block, (byte) 'y');
            for (long sent = 0; sent < size; sent += block.length) {
                out.write(block);
                peak = Math.max(peak, PlatformDependent.usedDirectMemory());
            }
            out.flush();
            String answer = new String(s.getInputStream().readNBytes(400), StandardCharsets.UTF_8);
            assertTrue(answer.contains("\"received\": " + size), answer);
        }
        assertTrue(peak < 64 * MB, "direct memory peaked at " + peak / MB + " MB for a " + size / MB + " MB body");
    }

    @Test
    void websocketEchoesThroughTheProxy() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        try (Raw raw = new Raw(backends.port)) {
            Raw.Response r = WebSocket.upgrade(raw, "/ws");
            assertEquals(101, r.status());
            assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", r.headers().get("sec-websocket-accept"));
            for (String text : new String[] {"hello", "x".repeat(300)}) {
                WebSocket.sendText(raw, text);
                assertEquals(text, WebSocket.read(raw.in).text());
            }
        }
    }

    @Test
    void unixSocketsOnBothSides() throws Exception {
        backends.start("web:0", true);
        Path listen = backends.dir().resolve("front.sock");
        backends.serve(Backends.settings("web", new DomainSocketAddress(listen.toString())));
        String answer = Curl.unix(listen, "/via-unix");
        assertTrue(answer.contains("\"/via-unix\""), answer);
    }

    @Test
    void smugglingShapesAreRefusedWith400AndTheConnectionClosed() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        String[] attacks = {
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
            "GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n",
            "NOT A REQUEST\r\n\r\n",
            "GET / HTTP/1.1\r\nX-No-Host: 1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        };
        for (String attack : attacks) {
            try (Raw raw = new Raw(backends.port)) {
                Raw.Response r = raw.send(attack).read();
                assertEquals(400, r.status(), attack);
                assertTrue(raw.closedByServer(), "closed after: " + attack);
            }
        }
    }

    @Test
    void headersTooLargeAre431() throws Exception {
        backends.start("web:0", false);
        backends.serve(backends.listenOnFreePort("web"));
        try (Raw raw = new Raw(backends.port)) {
            Raw.Response r = raw.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n").read();
            assertEquals(431, r.status());
        }
    }

    /** curl over a unix socket (Java's HTTP client cannot). */
    static final class Curl {
        static String unix(Path socket, String path) throws Exception {
            Process p = new ProcessBuilder("curl", "-s", "--max-time", "10", "--unix-socket", socket.toString(),
                    "http://localhost" + path).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        }
    }
}
