package dev.baton.supervisor.cli;

import dev.baton.conf.DurationText;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code logs --since}: a point in time as milliseconds since the epoch, given as a duration back from now in the
 * configuration's units, one or several ({@code 90s}, {@code 10m}, {@code 1h30m}, {@code 1.5h}), or as an ISO 8601
 * time with {@code Z} or an offset ({@code 2026-12-07T15:04:05Z}, {@code 2026-12-07T15:04:05.123+01:00}) or without
 * one, in the machine's zone ({@code 2026-12-07T15:04:05}). A time before 1970 means every line. Anything else is a
 * usage error on the command line, before a request is sent.
 */
final class Since implements ITypeConverter<Long> {

    @Override
    public Long convert(String value) {
        try {
            return parse(value, Instant.now(), ZoneId.systemDefault());
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not a duration (90s, 10m, 1h30m) or an ISO 8601"
                    + " time (2026-12-07T15:04:05Z, 2026-12-07T15:04:05.123+01:00, local 2026-12-07T15:04:05)");
        }
    }

    /** Milliseconds since the epoch, from 0; {@code now} and {@code zone} for durations and local times. */
    static long parse(String text, Instant now, ZoneId zone) {
        Optional<Duration> ago = duration(text);
        if (ago.isPresent()) {
            try {
                return millis(now.minus(ago.get()));
            } catch (DateTimeException | ArithmeticException e) {
                return 0; // before any time an Instant holds: every line
            }
        }
        try {
            return millis(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeException e) {
            // not a time with an offset
        }
        try {
            return millis(LocalDateTime.parse(text).atZone(zone).toInstant());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("not a duration or a time: " + text, e);
        }
    }

    /** {@code 1h30m}: one or more durations as the configuration writes them, with nothing in between. */
    static Optional<Duration> duration(String text) {
        Matcher part = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)(ms|s|m|h)", Pattern.CASE_INSENSITIVE).matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (end < text.length()) {
            part.region(end, text.length());
            if (!part.lookingAt()) {
                return Optional.empty();
            }
            Optional<Duration> one = DurationText.parse(part.group());
            if (one.isEmpty()) {
                return Optional.empty();
            }
            try {
                total = total.plus(one.get());
            } catch (ArithmeticException e) {
                return Optional.empty();
            }
            end = part.end();
        }
        return end == 0 ? Optional.empty() : Optional.of(total);
    }

    private static long millis(Instant time) {
        if (time.isBefore(Instant.EPOCH)) {
            return 0;
        }
        try {
            return time.toEpochMilli();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE; // too far ahead for a long: no line yet
        }
    }
}
