package dev.baton.supervisor.cli;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SinceTest {

    private static final Instant NOW = Instant.parse("2026-12-07T15:04:05.123Z");
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private static long since(String text) {
        return Since.parse(text, NOW, PARIS);
    }

    private static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void aDurationCountsBackFromNowInTheConfigurationsUnitsAlsoSeveralInARow() {
        assertEquals(millis("2026-12-07T15:02:35.123Z"), since("90s"));
        assertEquals(millis("2026-12-07T14:54:05.123Z"), since("10m"));
        assertEquals(millis("2026-12-07T13:34:05.123Z"), since("1h30m"));
        assertEquals(millis("2026-12-07T13:34:05.123Z"), since("1.5h"));
        assertEquals(millis("2026-12-07T13:34:03.623Z"), since("1h30m1s500ms"));
        assertEquals(millis("2026-12-07T15:04:05.113Z"), since("10MS"));
        assertEquals(NOW.toEpochMilli(), since("0s"));
    }

    @Test
    void anIsoTimeIsTakenWithItsOffsetOrInTheMachinesZoneWithoutOne() {
        assertEquals(millis("2026-12-07T15:04:05Z"), since("2026-12-07T15:04:05Z"));
        assertEquals(millis("2026-12-07T14:04:05.123Z"), since("2026-12-07T15:04:05.123+01:00"));
        assertEquals(millis("2026-12-07T14:04:05Z"), since("2026-12-07T15:04:05"), "Paris is UTC+1 in December");
        assertEquals(millis("2026-07-07T13:04:00Z"), since("2026-07-07T15:04"), "and UTC+2 in July");
    }

    @Test
    void aTimeBeforeTheEpochMeansEveryLine() {
        assertEquals(0, since("1960-01-01T00:00:00Z"));
        assertEquals(0, since("999999999h"));
    }

    @Test
    void anythingElseIsRefused() {
        for (String text : List.of("", "10", "1h30", "h", "1h 30m", "-5m", "yesterday", "2026-13-07T00:00:00Z",
                "2026-12-07", "15:04:05", "1d")) {
            assertThrows(IllegalArgumentException.class, () -> since(text), text);
        }
    }
}
