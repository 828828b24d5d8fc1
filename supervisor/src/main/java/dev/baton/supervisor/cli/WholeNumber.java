package dev.baton.supervisor.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters for options that take a count or a number of seconds: digits only, at least a minimum. Anything else
 * is a usage error on the command line (exit 2: {@code baton: Invalid value for option '--timeout': '-1' is not a
 * whole number from 1}), before a request is sent. A number too large to hold means "as many as there are".
 */
final class WholeNumber {

    private WholeNumber() {
    }

    /** A count from 0 ({@code logs -n}). */
    static final class FromZero implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) Math.min(parse(value, 0), Integer.MAX_VALUE);
        }
    }

    /** A number of seconds from 1 ({@code shutdown --timeout}). */
    static final class FromOne implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parse(value, 1);
        }
    }

    static long parse(String value, long min) {
        long parsed = digits(value) ? value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value) : -1;
        if (parsed < min) {
            throw new TypeConversionException("'" + value + "' is not a whole number from " + min);
        }
        return parsed;
    }

    /** A loop, not a lambda: each lambda costs a CLI command time to start. */
    private static boolean digits(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return !value.isEmpty();
    }
}
