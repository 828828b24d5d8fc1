package dev.baton.supervisor.log;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The arrival time of a line as text: ISO 8601 in UTC with milliseconds, {@code 2026-12-07T15:04:05.123Z}, always
 * 24 characters (for years 0000-9999), as {@code docker logs -t} prints it. Used by {@code baton logs -t} and by the
 * worker log files with {@code log_timestamps = true}, so both show the same time for a line.
 */
public final class LogTime {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    private LogTime() {
    }

    /** {@code 2026-12-07T15:04:05.123Z} for {@code epochMillis}. */
    public static String format(long epochMillis) {
        return FORMAT.format(Instant.ofEpochMilli(epochMillis));
    }
}
