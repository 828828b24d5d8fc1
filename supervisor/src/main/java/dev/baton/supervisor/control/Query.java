package dev.baton.supervisor.control;

import dev.baton.supervisor.Target;

import java.util.List;
import java.util.Map;

/**
 * The query parameters of one control request, checked against the names its endpoint takes. Each mistake is an
 * {@link IllegalArgumentException} whose message is the 400 answer: an unknown name, a flag that is neither on nor
 * off, a count that is not a whole number, a malformed target.
 */
final class Query {

    private static final List<String> ON = List.of("1", "true", "yes");
    private static final List<String> OFF = List.of("0", "false", "no");

    private final Map<String, List<String>> parameters;

    /** Fails on the first parameter that is not one of {@code known}. */
    Query(Map<String, List<String>> parameters, List<String> known) {
        for (String name : parameters.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown parameter: " + name + (known.isEmpty()
                        ? " (this endpoint takes none)" : " (this endpoint takes " + String.join(", ", known) + ")"));
            }
        }
        this.parameters = parameters;
    }

    /** Every value of {@code name}, in order. */
    List<String> all(String name) {
        return parameters.getOrDefault(name, List.of());
    }

    String first(String name, String fallback) {
        List<String> values = all(name);
        return values.isEmpty() ? fallback : values.get(0);
    }

    /** Every {@code target} parameter as typed, each of the shape {@link Target#checkText} accepts. */
    List<String> targets() {
        return Target.checkTexts(all("target"));
    }

    /** {@code 1}, {@code true} or {@code yes} is on; {@code 0}, {@code false} or {@code no} off; absent is off. */
    boolean flag(String name) {
        String value = first(name, "0");
        if (ON.contains(value)) {
            return true;
        }
        if (OFF.contains(value)) {
            return false;
        }
        throw new IllegalArgumentException(name + " must be 1 or 0 (also true/false, yes/no)");
    }

    /**
     * A whole number from 0 (at most {@link Integer#MAX_VALUE}: a larger count asks for everything there is), or
     * {@code fallback} when absent.
     */
    int count(String name, int fallback) {
        String value = first(name, null);
        if (value == null) {
            return fallback;
        }
        if (!digits(value)) {
            throw new IllegalArgumentException(name + " must be a whole number from 0");
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * A time in milliseconds since the epoch, a whole number from 0 (one too large for a {@code long} is the far
     * future), or {@code fallback} when absent.
     */
    long epochMillis(String name, long fallback) {
        String value = first(name, null);
        if (value == null) {
            return fallback;
        }
        if (!digits(value)) {
            throw new IllegalArgumentException(name + " must be a time in milliseconds since the epoch,"
                    + " a whole number from 0");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static boolean digits(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
