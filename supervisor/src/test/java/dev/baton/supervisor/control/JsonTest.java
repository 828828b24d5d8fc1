package dev.baton.supervisor.control;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    enum Colour { RED, GREEN }

    record Inner(String text, List<String> tags) {
    }

    record Everything(String name, int count, long bigCount, boolean on, double ratio, Integer boxed, Long boxedLong,
                      Boolean maybe, Double maybeRatio, Colour colour, Inner inner, List<Inner> inners,
                      List<String> words, Optional<String> optional, String nullable, Object raw) {
    }

    record Numbers(int small, long large) {
    }

    private static Everything everything(Optional<String> optional) {
        return new Everything("web:0", 42, 1L << 40, true, 0.25, 7, -3L, false, 1.5, Colour.GREEN,
                new Inner("a \"quoted\"\nline", List.of("x", "y")), List.of(new Inner("one", List.of()),
                new Inner(null, List.of("z"))), List.of("a", "b"), optional, null, List.of(1L, "two"));
    }

    @Test
    void aRecordSurvivesARoundTrip() {
        for (Optional<String> optional : List.of(Optional.of("here"), Optional.<String>empty())) {
            Everything value = everything(optional);
            assertEquals(value, Json.read(Json.write(value), Everything.class));
        }
    }

    @Test
    void componentsAreWrittenInOrderAsSnakeCaseKeys() {
        assertEquals("{\"small\":1,\"large\":2}", Json.write(new Numbers(1, 2)));
        String json = Json.write(everything(Optional.of("here")));
        assertTrue(json.startsWith("{\"name\":\"web:0\",\"count\":42,\"big_count\":1099511627776,\"on\":true,"
                + "\"ratio\":0.25,\"boxed\":7,\"boxed_long\":-3,\"maybe\":false,\"maybe_ratio\":1.5,"
                + "\"colour\":\"GREEN\",\"inner\":{\"text\":\"a \\\"quoted\\\"\\nline\",\"tags\":[\"x\",\"y\"]},"),
                json);
        assertTrue(json.endsWith("\"words\":[\"a\",\"b\"],\"optional\":\"here\",\"nullable\":null,"
                + "\"raw\":[1,\"two\"]}"), json);
        assertEquals("uptime_ms", JsonRecords.snakeCase("uptimeMs"));
        assertEquals("failed_worker", JsonRecords.snakeCase("failedWorker"));
        assertEquals("pid", JsonRecords.snakeCase("pid"));
    }

    @Test
    void anEmptyOptionalIsLeftOutAndAMissingKeyReadsBackEmpty() {
        String json = Json.write(everything(Optional.empty()));
        assertTrue(!json.contains("\"optional\"") && json.contains("\"nullable\":null"), json);
        assertEquals(Optional.empty(), Json.read(json, Everything.class).optional());
        assertEquals(Optional.empty(), Json.read(json.replace("\"nullable\":null", "\"optional\":null"),
                Everything.class).optional(), "null reads as empty too");
        assertNull(Json.read(json, Everything.class).nullable());
        assertEquals("[\"x\",null]", Json.write(List.of(Optional.of("x"), Optional.empty())), "outside a record");
    }

    @Test
    void unknownKeysAreIgnoredAndMissingOnesAreNull() {
        Inner inner = Json.read("{\"text\":\"t\",\"added_later\":{\"x\":[1]}}", Inner.class);
        assertEquals(new Inner("t", null), inner);
    }

    @Test
    void aValueThatDoesNotFitTheTypeIsRejectedWithItsPath() {
        assertReadFails("{\"small\":1}", Numbers.class, "Numbers.large: missing");
        assertReadFails("{\"small\":\"1\",\"large\":2}", Numbers.class,
                "Numbers.small: expected a whole number (int), found \"1\"");
        assertReadFails("{\"small\":4294967296,\"large\":2}", Numbers.class,
                "Numbers.small: expected a whole number (int), found 4294967296");
        assertReadFails("{\"small\":1.5,\"large\":2}", Numbers.class,
                "Numbers.small: expected a whole number (int), found 1.5");
        assertReadFails("{\"small\":null,\"large\":2}", Numbers.class, "Numbers.small: expected a number, found null");
        assertReadFails("[]", Numbers.class, "Numbers: expected an object, found an array");
        assertReadFails("{\"text\":\"t\",\"tags\":[\"ok\",3]}", Inner.class,
                "Inner.tags[1]: expected a string, found 3");
        String wrongEnum = Json.write(everything(Optional.of("x"))).replace("\"GREEN\"", "\"BLUE\"");
        assertReadFails(wrongEnum, Everything.class, "Everything.colour: expected one of [RED, GREEN], found \"BLUE\"");
        assertReadFails("{\"small\":1,", Numbers.class, "invalid JSON at offset 11: expected '\"'");
    }

    private static void assertReadFails(String json, Class<?> type, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.read(json, type), json);
        assertEquals(message, e.getMessage());
    }

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
