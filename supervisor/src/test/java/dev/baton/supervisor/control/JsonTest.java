package dev.baton.supervisor.control;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void nestedValuesSurviveARoundTrip() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "web:0");
        value.put("pid", 1234L);
        value.put("ok", true);
        value.put("socket", null);
        value.put("ratio", 0.5);
        value.put("items", List.of(1L, "two", List.of(), Map.of()));
        assertEquals(value, Json.parse(Json.write(value)));
    }

    @Test
    void controlCharactersQuotesAndUnicodeAreEscapedAndRestored() {
        String text = "line \"one\"\n\ttab \\ back \u0001 \u00e9\u4e2d\ufffd";
        String json = Json.write(text);
        assertTrue(json.contains("\\u0001") && json.contains("\\n") && json.contains("\\\""), json);
        assertEquals(text, Json.parse(json));
    }

    @Test
    void malformedInputIsRejectedWithItsOffset() {
        for (String bad : Arrays.asList("", "{", "{\"a\" 1}", "[1,]", "tru", "\"open", "{} x", "01x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid JSON at offset"), e.getMessage());
        }
    }
}
