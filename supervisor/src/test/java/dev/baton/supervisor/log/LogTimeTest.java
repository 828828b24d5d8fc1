package dev.baton.supervisor.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class LogTimeTest {

    @Test
    void formatsUtcWithMillisecondsAlwaysTwentyFourCharacters() {
        assertEquals("1970-01-01T00:00:00.000Z", LogTime.format(0));
        long time = OffsetDateTime.parse("2026-12-07T16:04:05.120+01:00").toInstant().toEpochMilli();
        assertEquals("2026-12-07T15:04:05.120Z", LogTime.format(time));
        assertEquals("2026-12-07T15:04:05.007Z", LogTime.format(time - 113));
    }
}
