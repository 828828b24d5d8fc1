package dev.baton.conf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void unitsAreMillisecondsSecondsMinutesAndHoursInAnyCase() {
        assertEquals(Optional.of(Duration.ofMillis(250)), Durations.parse("250ms"));
        assertEquals(Optional.of(Duration.ofSeconds(5)), Durations.parse("5s"));
        assertEquals(Optional.of(Duration.ofMinutes(2)), Durations.parse("2m"));
        assertEquals(Optional.of(Duration.ofHours(1)), Durations.parse("1h"));
        assertEquals(Optional.of(Duration.ofMillis(250)), Durations.parse("250MS"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), Durations.parse(" 30 s "));
    }

    @Test
    void fractionsAreExactToTheNanosecond() {
        assertEquals(Optional.of(Duration.ofMillis(1500)), Durations.parse("1.5s"));
        assertEquals(Optional.of(Duration.ofMillis(500)), Durations.parse(".5s"));
        assertEquals(Optional.of(Duration.ofSeconds(90)), Durations.parse("1.5m"));
        assertEquals(Optional.of(Duration.ofNanos(1_500_000)), Durations.parse("1.5ms"));
        assertEquals(Optional.of(Duration.ofNanos(1)), Durations.parse("0.0000000019s"));
        assertEquals(Optional.of(Duration.ZERO), Durations.parse("0s"));
    }

    @Test
    void tomlNumbersAreSeconds() {
        assertEquals(Optional.of(Duration.ofMillis(250)), Durations.ofSeconds(0.25));
        assertEquals(Optional.of(Duration.ofMillis(-1500)), Durations.ofSeconds(-1.5));
        assertEquals(Optional.empty(), Durations.ofSeconds(Double.NaN));
        assertEquals(Optional.empty(), Durations.ofSeconds(Double.POSITIVE_INFINITY));
        assertEquals(Optional.empty(), Durations.ofSeconds(1e30));
    }

    @Test
    void otherTextIsRejected() {
        assertEquals(Optional.empty(), Durations.parse(""));
        assertEquals(Optional.empty(), Durations.parse("5"));
        assertEquals(Optional.empty(), Durations.parse("s"));
        assertEquals(Optional.empty(), Durations.parse("5 parsecs"));
        assertEquals(Optional.empty(), Durations.parse("-5s"));
        assertEquals(Optional.empty(), Durations.parse("1d"));
        assertEquals(Optional.empty(), Durations.parse("1h30m"));
        assertEquals(Optional.empty(), Durations.parse("5."));
        assertEquals(Optional.empty(), Durations.parse("99999999999999999999999h"));
    }
}
