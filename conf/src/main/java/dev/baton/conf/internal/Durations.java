package dev.baton.conf.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written as {@code "250ms"}, {@code "5s"}, {@code "2m"}, {@code "1h"}, also with a fraction
 * ({@code "1.5s"}), units in any case. A string without a unit is not a duration: a TOML number means seconds and
 * is read by {@link #ofSeconds(double)}. Fractions of a nanosecond are dropped.
 */
public final class Durations {

    private static final Pattern DURATION =
            Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    /** The duration, or empty when the text is not a duration or does not fit in a {@link Duration}. */
    public static Optional<Duration> parse(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        BigDecimal number = new BigDecimal(m.group(1));
        return ofSeconds(number.multiply(secondsPer(m.group(2).toLowerCase(Locale.ROOT))));
    }

    /** A TOML number of seconds (negative ones too); empty when it is not finite or too large. */
    public static Optional<Duration> ofSeconds(double seconds) {
        return Double.isFinite(seconds) ? ofSeconds(BigDecimal.valueOf(seconds)) : Optional.empty();
    }

    private static Optional<Duration> ofSeconds(BigDecimal seconds) {
        try {
            long whole = seconds.toBigInteger().longValueExact();
            long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValue();
            return Optional.of(Duration.ofSeconds(whole, nanos));
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    private static BigDecimal secondsPer(String unit) {
        return switch (unit) {
            case "ms" -> new BigDecimal("0.001");
            case "m" -> BigDecimal.valueOf(60);
            case "h" -> BigDecimal.valueOf(3600);
            default -> BigDecimal.ONE;
        };
    }
}
