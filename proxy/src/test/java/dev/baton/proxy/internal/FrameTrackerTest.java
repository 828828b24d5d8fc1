package dev.baton.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameTrackerTest {

    /** A frame: FIN + text opcode, the length in its shortest encoding, an optional mask, then the payload. */
    private static byte[] frame(int payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x81);
        int mask = masked ? 0x80 : 0;
        if (payload < 126) {
            out.write(mask | payload);
        } else if (payload < 65536) {
            out.write(mask | 126);
            out.write(payload >> 8);
            out.write(payload);
        } else {
            out.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload >> shift));
            }
        }
        if (masked) {
            out.writeBytes(new byte[] {9, 8, 7, 6});
        }
        out.writeBytes(new byte[payload]);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Feeds {@code bytes} one at a time; answers the offsets (1-based: after that byte) where a frame ended. */
    private static List<Integer> boundariesByteByByte(byte[] bytes) {
        FrameTracker tracker = new FrameTracker();
        List<Integer> ends = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            tracker.feed(Unpooled.wrappedBuffer(bytes, i, 1));
            if (tracker.atBoundary()) {
                ends.add(i + 1);
            }
        }
        return ends;
    }

    @Test
    void headersSplitAnywhereAreFollowedForEveryLengthEncoding() {
        byte[] small = frame(5, false);
        byte[] medium = frame(300, true);
        byte[] large = frame(70_000, false);
        byte[] empty = frame(0, false);
        byte[] all = concat(small, medium, large, empty);
        int a = small.length;
        int b = a + medium.length;
        int c = b + large.length;
        assertEquals(List.of(a, b, c, c + 2), boundariesByteByByte(all));
        assertEquals(7, a);
        assertEquals(2 + 2 + 4 + 300, medium.length);
        assertEquals(2 + 8 + 70_000, large.length);
    }

    @Test
    void feedingWholeBuffersLeavesTheTrackerMidFrameOrAtABoundary() {
        FrameTracker tracker = new FrameTracker();
        byte[] two = concat(frame(10, false), frame(200, false));
        tracker.feed(Unpooled.wrappedBuffer(two, 0, 15));
        assertFalse(tracker.atBoundary());
        tracker.feed(Unpooled.wrappedBuffer(two, 15, two.length - 15));
        assertTrue(tracker.atBoundary());
    }

    @Test
    void stepStopsAtTheEndOfTheCurrentFrameWithoutMovingTheBuffer() {
        FrameTracker tracker = new FrameTracker();
        byte[] first = frame(100, false);
        tracker.feed(Unpooled.wrappedBuffer(first, 0, 40));
        ByteBuf rest = Unpooled.wrappedBuffer(concat(first, frame(3, false))).readerIndex(40);
        int end = tracker.step(rest, 0);
        assertEquals(first.length - 40, end);
        assertTrue(tracker.atBoundary());
        assertEquals(40, rest.readerIndex());
        assertEquals(rest.readableBytes(), tracker.step(rest, end));
        assertTrue(tracker.atBoundary());
    }

    @Test
    void aHeaderSplitInsideItsExtendedLengthIsNotABoundary() {
        FrameTracker tracker = new FrameTracker();
        byte[] large = frame(70_000, true);
        tracker.feed(Unpooled.wrappedBuffer(large, 0, 5));
        assertFalse(tracker.atBoundary());
        tracker.feed(Unpooled.wrappedBuffer(large, 5, 9));
        assertFalse(tracker.atBoundary());
        tracker.feed(Unpooled.wrappedBuffer(large, 14, 70_000));
        assertTrue(tracker.atBoundary());
    }
}
