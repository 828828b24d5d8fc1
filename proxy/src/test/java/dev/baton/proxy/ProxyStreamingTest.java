package dev.baton.proxy;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
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

    @TempDir
    Path dir;

    private Backends backends;

    @BeforeEach
    void setUp() {
        backends = new Backends(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        backends.close();
    }

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
            Raw.Response r = raw.send("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").read();
            assertEquals(101, r.status());
            assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", r.headers().get("sec-websocket-accept"));
            for (String text : new String[] {"hello", "x".repeat(300)}) {
                raw.out.write(maskedTextFrame(text));
                raw.out.flush();
                assertEquals(text, readTextFrame(raw.in));
            }
        }
    }

    @Test
    void unixSocketsOnBothSides() throws Exception {
        backends.start("web:0", true);
        Path listen = dir.resolve("front.sock");
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

    private static byte[] maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        int header = payload.length < 126 ? 2 : 4;
        byte[] frame = new byte[header + 4 + payload.length];
        frame[0] = (byte) 0x81;
        if (payload.length < 126) {
            frame[1] = (byte) (0x80 | payload.length);
        } else {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (payload.length >> 8);
            frame[3] = (byte) payload.length;
        }
        System.arraycopy(mask, 0, frame, header, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[header + 4 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    private static String readTextFrame(InputStream in) throws Exception {
        byte[] head = in.readNBytes(2);
        int length = head[1] & 0x7F;
        if (length == 126) {
            byte[] ext = in.readNBytes(2);
            length = ((ext[0] & 0xFF) << 8) | (ext[1] & 0xFF);
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
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
