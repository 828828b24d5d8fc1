package dev.baton.conf.supervisord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The expected values were computed with supervisor 4.2's {@code dict_of_key_value_pairs}. */
class KeyValuePairsTest {

    @Test
    void quotesKeepCommasAndAreStrippedFromBothEnds() {
        assertEquals(Map.of("A", "1", "B", "x,y"), KeyValuePairs.parse("A=1,B=\"x,y\""));
        assertEquals(Map.of("A", "q"), KeyValuePairs.parse("A='\"q\"'"));
        assertEquals(Map.of("A", "a\"b"), KeyValuePairs.parse("A=a\"b\""));
        assertEquals(Map.of("A", "it"), KeyValuePairs.parse("A='it''s'"));
    }

    @Test
    void anyFourthTokenSeparatesAndACommentGluesTheWordToTheNextLine() {
        assertEquals(Map.of("A", "1", "B", "2"), KeyValuePairs.parse("A=1;B=2"));
        assertEquals(Map.of("A", "xz", "B", "2"), KeyValuePairs.parse("A=x#y\nz,B=2"));
        assertEquals(Map.of(), KeyValuePairs.parse(""));
    }

    @Test
    void aMissingValueOrQuoteIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> KeyValuePairs.parse("A=,B=2"));
        assertThrows(IllegalArgumentException.class, () -> KeyValuePairs.parse("A=\"open"));
    }

    @Test
    void workerMarksCountAsWordCharacters() {
        String port = "80" + WorkerMarks.mark("02d");
        assertEquals(Map.of("PORT", port), KeyValuePairs.parse("PORT=" + port + ",X=1").entrySet().stream()
                .filter(e -> e.getKey().equals("PORT")).collect(java.util.stream.Collectors.toMap(
                        Map.Entry::getKey, Map.Entry::getValue)));
    }
}
