package dev.baton.supervisor.log;

/** UTF-8 byte arithmetic for cutting over-long lines. */
final class Utf8 {

    private Utf8() {
    }

    /**
     * The length of {@code bytes[0, length)} without a UTF-8 character cut off at its end: {@code length} itself, or
     * the position of a lead byte whose continuation bytes are missing (at most 3 bytes back). Invalid bytes are
     * left alone; the decoder replaces them.
     */
    static int completeLength(byte[] bytes, int length) {
        for (int back = 1; back <= 3 && back <= length; back++) {
            int b = bytes[length - back] & 0xFF;
            if (b < 0x80) {
                return length; // ASCII: nothing cut off
            }
            if (b >= 0xC0) {
                return sequenceLength(b) > back ? length - back : length;
            }
            // a continuation byte: its lead byte is further back
        }
        return length;
    }

    /** How many bytes the sequence started by lead byte {@code b} (0xC0..0xFF) should have. */
    private static int sequenceLength(int b) {
        if (b >= 0xF8) {
            return 1; // never valid: nothing to wait for
        }
        return b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    }
}
