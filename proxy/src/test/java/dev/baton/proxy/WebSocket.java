package dev.baton.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** A WebSocket client on a {@link Raw} connection: the upgrade, masked text frames out, frames in. */
final class WebSocket {

    /** A frame as received: its first byte (FIN and opcode) and its payload. */
    record Frame(int head, byte[] payload) {
        int opcode() {
            return head & 0x0F;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private WebSocket() {
    }

    /** Sends the upgrade request for {@code path} and reads the 101. */
    static Raw.Response upgrade(Raw raw, String path) throws IOException {
        return raw.send("GET " + path + " HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").read();
    }

    static void sendText(Raw raw, String text) throws IOException {
        raw.out.write(maskedTextFrame(text));
        raw.out.flush();
    }

    static byte[] maskedTextFrame(String text) {
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

    /** Reads one unmasked server frame (payload under 64 KiB). */
    static Frame read(InputStream in) throws IOException {
        byte[] head = in.readNBytes(2);
        if (head.length < 2) {
            throw new IOException("connection closed before a frame");
        }
        int length = head[1] & 0x7F;
        if (length == 126) {
            byte[] ext = in.readNBytes(2);
            length = ((ext[0] & 0xFF) << 8) | (ext[1] & 0xFF);
        }
        return new Frame(head[0] & 0xFF, in.readNBytes(length));
    }
}
