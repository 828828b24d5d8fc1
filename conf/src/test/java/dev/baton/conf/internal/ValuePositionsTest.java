package dev.baton.conf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tomlj.TomlPosition;

class ValuePositionsTest {

    private static TomlPosition at(int line, int column) {
        return TomlPosition.positionAt(line, column);
    }

    @Test
    void valueFollowsABareKey() {
        ValuePositions positions = new ValuePositions("[a]\nnumprocs = \"2\"\n  x\t=\t1\n");

        assertEquals(at(2, 12), positions.valueOf(at(2, 1)));
        assertEquals(at(3, 7), positions.valueOf(at(3, 3)));
    }

    @Test
    void valueFollowsDottedAndQuotedKeys() {
        ValuePositions positions = new ValuePositions("a . \"b.c\" .'d' = 5\n");

        assertEquals(at(1, 18), positions.valueOf(at(1, 1)));
    }

    @Test
    void valueInsideAnInlineTable() {
        ValuePositions positions = new ValuePositions("env = { PORT = 8080, B = true }\n");

        assertEquals(at(1, 16), positions.valueOf(at(1, 9)));
        assertEquals(at(1, 26), positions.valueOf(at(1, 22)));
    }

    @Test
    void columnsCountCodePointsLikeTomlj() {
        ValuePositions positions = new ValuePositions("a = { \"\uD83D\uDE00\" = 1, b = 2 }\n");

        assertEquals(at(1, 20), positions.valueOf(at(1, 16)));
    }

    @Test
    void tableHeadersAndUnscannableLinesKeepTheGivenPosition() {
        ValuePositions positions = new ValuePositions("[program.web]\nnot a key\n");

        assertEquals(at(1, 1), positions.valueOf(at(1, 1)));
        assertEquals(at(2, 1), positions.valueOf(at(2, 1)));
        assertEquals(at(9, 1), positions.valueOf(at(9, 1)));
        assertEquals(null, positions.valueOf(null));
    }
}
