package dev.baton.proxy.internal;

import io.netty.buffer.ByteBuf;

/**
 * Where WebSocket frame boundaries fall in one direction of a tunnel (RFC 6455 section 5.2), so that Baton can
 * write a frame of its own between two of the worker's. It reads each frame header (2 bytes, then a 2 or 8 byte
 * extended length, then a 4 byte mask key when the mask bit is set) and skips the payload; headers may arrive
 * split across buffers. Nothing is decoded or copied, and the buffers' indexes are not moved.
 */
final class FrameTracker {

    private final byte[] header = new byte[14];
    private int headerRead;
    private int headerLength;
    private boolean inPayload;
    private long payloadLeft;

    /** True between frames: everything seen so far ends exactly at a frame's end. */
    boolean atBoundary() {
        return headerRead == 0 && !inPayload;
    }

    /** Notes all of {@code buf}'s readable bytes. */
    void feed(ByteBuf buf) {
        int offset = 0;
        while (offset < buf.readableBytes()) {
            offset = step(buf, offset);
        }
    }

    /**
     * Notes the bytes of {@code buf} from {@code offset} (relative to its reader index) up to the end of the
     * current frame (a new one, at a boundary) or of the readable bytes, whichever comes first; answers the offset
     * after them. When {@link #atBoundary()} holds afterwards, a frame ended exactly there.
     */
    int step(ByteBuf buf, int offset) {
        int end = buf.readableBytes();
        int at = offset;
        while (!inPayload && at < end) {
            header[headerRead++] = buf.getByte(buf.readerIndex() + at++);
            if (headerRead == 2) {
                headerLength = 2 + extendedLengthBytes() + ((header[1] & 0x80) != 0 ? 4 : 0);
            }
            if (headerRead >= 2 && headerRead == headerLength) {
                inPayload = true;
                payloadLeft = payloadLength();
            }
        }
        if (inPayload) {
            long take = Math.min(payloadLeft, end - at);
            at += (int) take;
            payloadLeft -= take;
            if (payloadLeft == 0) {
                inPayload = false;
                headerRead = 0;
            }
        }
        return at;
    }

    private int extendedLengthBytes() {
        int length = header[1] & 0x7F;
        return length == 126 ? 2 : length == 127 ? 8 : 0;
    }

    private long payloadLength() {
        int length = header[1] & 0x7F;
        if (length < 126) {
            return length;
        }
        long value = 0;
        for (int i = 0; i < extendedLengthBytes(); i++) {
            value = (value << 8) | (header[2 + i] & 0xFF);
        }
        return value < 0 ? Long.MAX_VALUE : value; // the top bit must be 0; never end such a frame
    }
}
