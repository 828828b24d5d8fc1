package dev.baton.conf.internal;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses sizes written as {@code "100B"}, {@code "512KB"}, {@code "50MB"} or {@code "1GB"} (binary units, any case). */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMG]?B)?", Pattern.CASE_INSENSITIVE);

    private ByteSize() {
    }

    /** The number of bytes, or empty when the text is not a size or does not fit in a long. */
    public static OptionalLong parse(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        try {
            long number = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
            return OptionalLong.of(Math.multiplyExact(number, multiplier(unit)));
        } catch (NumberFormatException | ArithmeticException e) {
            return OptionalLong.empty();
        }
    }

    private static long multiplier(String unit) {
        return switch (unit) {
            case "KB" -> 1024L;
            case "MB" -> 1024L * 1024;
            case "GB" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
    }
}
