package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {

    private static final long TIME = ZonedDateTime.of(2026, 11, 21, 10, 5, 9, 123_000_000, ZoneOffset.UTC)
            .toInstant().toEpochMilli();

    private static AccessRecord record(String uri, String referer, String userAgent) {
        return new AccessRecord("203.0.113.7", TIME, "GET", uri, "HTTP/1.1", 200, 512, referer, userAgent,
                "web", "web:2", 12);
    }

    @Test
    void combinedIsTheNginxLineWithUpstreamAndDuration() {
        assertEquals("203.0.113.7 - - [21/Nov/2026:10:05:09 +0000] \"GET /a?b=1 HTTP/1.1\" 200 512"
                        + " \"https://ref.example/\" \"curl/8.5.0\" upstream=web:2 duration_ms=12",
                AccessLogFormat.combined(record("/a?b=1", "https://ref.example/", "curl/8.5.0"), ZoneOffset.UTC));
    }

    @Test
    void combinedUsesTheGivenZoneOffset() {
        String line = AccessLogFormat.combined(record("/", null, null), ZoneId.of("America/New_York"));
        assertEquals("203.0.113.7 - - [21/Nov/2026:05:05:09 -0500] \"GET / HTTP/1.1\" 200 512 \"-\" \"-\""
                + " upstream=web:2 duration_ms=12", line);
    }

    @Test
    void combinedEscapesQuotesBackslashesControlsAndNonAscii() {
        String line = AccessLogFormat.combined(record("/", "a\"b\\c", "x\ny\u00e9"), ZoneOffset.UTC);
        assertEquals("203.0.113.7 - - [21/Nov/2026:10:05:09 +0000] \"GET / HTTP/1.1\" 200 512"
                + " \"a\\x22b\\x5Cc\" \"x\\x0Ay\\xC3\\xA9\" upstream=web:2 duration_ms=12", line);
    }

    @Test
    void combinedShowsDashesForARequestRefusedBeforeItsHead() {
        AccessRecord r = new AccessRecord("unix", TIME, null, null, null, 408, 0, null, null, null, "-", 1000);
        assertEquals("unix - - [21/Nov/2026:10:05:09 +0000] \"-\" 408 0 \"-\" \"-\" upstream=- duration_ms=1000",
                AccessLogFormat.combined(r, ZoneOffset.UTC));
    }

    @Test
    void jsonIsOneObjectWithAllFields() {
        assertEquals("{\"time\":\"2026-11-21T10:05:09.123Z\",\"remote_addr\":\"203.0.113.7\",\"method\":\"GET\","
                        + "\"uri\":\"/a\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"bytes_sent\":512,"
                        + "\"referer\":null,\"user_agent\":\"curl/8.5.0\",\"program\":\"web\",\"worker\":\"web:2\","
                        + "\"duration_ms\":12}",
                AccessLogFormat.json(record("/a", null, "curl/8.5.0")));
    }

    @Test
    void jsonEscapesEverythingThatCouldBreakTheLine() {
        String json = AccessLogFormat.json(record("/\"q\"\\", "a\r\nb\t\u0001\u007f", "\u2028\ud800x\ud83d\ude00"));
        assertEquals("{\"time\":\"2026-11-21T10:05:09.123Z\",\"remote_addr\":\"203.0.113.7\",\"method\":\"GET\","
                + "\"uri\":\"/\\\"q\\\"\\\\\",\"protocol\":\"HTTP/1.1\",\"status\":200,\"bytes_sent\":512,"
                + "\"referer\":\"a\\r\\nb\\t\\u0001\\u007F\",\"user_agent\":\"\\u2028\\uD800x\ud83d\ude00\","
                + "\"program\":\"web\",\"worker\":\"web:2\",\"duration_ms\":12}", json);
    }
}
