package dev.baton.conf;

import dev.baton.conf.internal.Durations;
import java.time.Duration;
import java.util.Optional;

/**
 * The configuration's duration syntax ({@code "250ms"}, {@code "5s"}, {@code "2m"}, {@code "1h"}, {@code "1.5s"}),
 * for other modules that read durations the same way (the CLI's {@code logs --since}).
 */
public final class DurationText {

    private DurationText() {
    }

    /** The duration, or empty when the text is not one or does not fit in a {@link Duration}. */
    public static Optional<Duration> parse(String text) {
        return Durations.parse(text);
    }
}
