package dev.baton.supervisor.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Utf8Test {

    private static int complete(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return Utf8.completeLength(b, b.length);
    }

    @Test
    void asciiEndIsComplete() {
        assertEquals(3, complete('a', 'b', 'c'));
    }

    @Test
    void completeMultibyteCharactersAreKept() {
        assertEquals(3, complete('a', 0xC3, 0xA9));             // é
        assertEquals(4, complete('a', 0xE2, 0x82, 0xAC));       // €
        assertEquals(5, complete('a', 0xF0, 0x9F, 0x98, 0x80)); // 😀
    }

    @Test
    void leadByteMissingContinuationsIsCutOff() {
        assertEquals(1, complete('a', 0xC3));
        assertEquals(1, complete('a', 0xE2, 0x82));
        assertEquals(1, complete('a', 0xF0, 0x9F, 0x98));
    }

    @Test
    void invalidBytesAreLeftForTheDecoder() {
        assertEquals(5, complete('a', 0x80, 0x80, 0x80, 0x80)); // stray continuations
        assertEquals(2, complete('a', 0xFF));                    // never a lead byte
        assertEquals(0, Utf8.completeLength(new byte[0], 0));
    }
}
