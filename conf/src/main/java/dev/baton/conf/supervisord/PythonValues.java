package dev.baton.conf.supervisord;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * supervisord's value types ({@code supervisor/datatypes.py}) as Python computes them. Each throws
 * {@link IllegalArgumentException} with the reason supervisord would give.
 */
final class PythonValues {

    private static final Pattern INT = Pattern.compile("[+-]?\\d+(_\\d+)*");
    private static final Pattern OCTAL = Pattern.compile("([+-]?)(?:0[oO]_?)?([0-7]+(_[0-7]+)*)");
    private static final Pattern SIZE = Pattern.compile("(.*)(kb|mb|gb)");
    private static final Set<String> TRUE = Set.of("yes", "true", "on", "1");
    private static final Set<String> FALSE = Set.of("no", "false", "off", "0");
    /** Linux's signal names, as Python's {@code signal} module has them. */
    private static final List<String> SIGNALS = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS",
            "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
            "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    private PythonValues() {
    }

    /** Python's {@code int(text)}. */
    static long integer(String text) {
        String s = IniFile.strip(text);
        if (!INT.matcher(s).matches()) {
            throw new IllegalArgumentException("not an integer: \"" + text + "\"");
        }
        try {
            return Long.parseLong(s.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("integer out of range: \"" + text + "\"");
        }
    }

    /** {@code integer}, within Java's int. */
    static int smallInteger(String text) {
        long value = integer(text);
        if (value != (int) value) {
            throw new IllegalArgumentException("integer out of range: \"" + text + "\"");
        }
        return (int) value;
    }

    /** {@code boolean}: yes/true/on/1 and no/false/off/0, any case. */
    static boolean bool(String text) {
        String s = text.toLowerCase(Locale.ROOT);
        if (TRUE.contains(s)) {
            return true;
        }
        if (FALSE.contains(s)) {
            return false;
        }
        throw new IllegalArgumentException("not a valid boolean value: \"" + text + "\"");
    }

    /** {@code list_of_exitcodes}: comma-separated integers from 0 to 255; empty text is no code. */
    static List<Integer> exitcodes(String text) {
        List<Integer> codes = new ArrayList<>();
        if (text.isEmpty()) {
            return codes;
        }
        for (String part : text.split(",", -1)) {
            long code;
            try {
                code = integer(part);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a valid list of exit codes: \"" + text + "\"");
            }
            if (code < 0 || code > 255) {
                throw new IllegalArgumentException("not a valid list of exit codes: \"" + text + "\" (" + code
                        + " is not from 0 to 255)");
            }
            codes.add((int) code);
        }
        return codes;
    }

    /** {@code signal_number}, as the signal's name without SIG ({@code TERM}); a number 1 to 31 or a name. */
    static String signal(String text) {
        if (INT.matcher(IniFile.strip(text)).matches()) {
            long number = integer(text);
            if (number < 1 || number >= SIGNALS.size()) {
                throw new IllegalArgumentException("value \"" + text + "\" is not a valid signal number");
            }
            return SIGNALS.get((int) number);
        }
        String name = IniFile.strip(text).toUpperCase(Locale.ROOT);
        name = name.startsWith("SIG") ? name.substring(3) : name;
        name = name.equals("IOT") ? "ABRT" : name.equals("POLL") ? "IO" : name.equals("CLD") ? "CHLD" : name;
        if (name.isEmpty() || !SIGNALS.contains(name)) {
            throw new IllegalArgumentException("value \"" + text + "\" is not a valid signal name");
        }
        return name;
    }

    /** {@code octal_type}: Python's {@code int(text, 8)}. */
    static int octal(String text) {
        Matcher m = OCTAL.matcher(IniFile.strip(text));
        if (!m.matches()) {
            throw new IllegalArgumentException(text + " can not be converted to an octal type");
        }
        int value = Integer.parseInt(m.group(2).replace("_", ""), 8);
        return m.group(1).equals("-") ? -value : value;
    }

    /**
     * {@code byte_size} ({@code 50MB}, {@code 1024}), as Baton writes it: a {@link Long} of bytes, or a
     * {@link String} such as {@code "50MB"} when the text has a unit.
     */
    static Object byteSize(String text) {
        Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long number = integer(m.group(1));
            return number + m.group(2).toUpperCase(Locale.ROOT);
        }
        return integer(text);
    }

    /** The number of bytes of a {@link #byteSize} value. */
    static long bytes(Object size) {
        if (size instanceof Long bytes) {
            return bytes;
        }
        String s = (String) size;
        long number = Long.parseLong(s.substring(0, s.length() - 2));
        return number * switch (s.substring(s.length() - 2)) {
            case "KB" -> 1024L;
            case "MB" -> 1024L * 1024;
            default -> 1024L * 1024 * 1024;
        };
    }
}
