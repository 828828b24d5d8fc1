package dev.baton.conf.supervisord;

import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Python's {@code %}-formatting with a table of names, as supervisord expands its option values
 * ({@code value % expansions}): {@code %(name)s}, {@code %(process_num)02d}, {@code %(name)r}, flags
 * ({@code -+ #0}), width, precision, length modifiers (ignored), {@code %%}.
 *
 * <p>A name's value is a {@link String}, an {@link Integer}, or {@link #PROCESS_NUM}: the worker's number, which
 * differs per worker and is written as a {@link WorkerMarks mark} carrying its spec. The float conversions
 * ({@code e f g}) and {@code c} are refused: no supervisord option has a use for them. A conversion without a name
 * ({@code %s}) is refused too: Python would insert the whole table of names there.
 */
final class Expansion {

    /** The value of {@code process_num}: a mark, later {@code {worker}}. */
    static final Object PROCESS_NUM = new Object() {
        @Override
        public String toString() {
            return "process_num";
        }
    };

    private static final String FLAGS = "-+ #0";

    private Expansion() {
    }

    /**
     * {@code text % names}.
     *
     * @param where the start of an error message: {@code file:line: [program:web] command}
     * @throws ImportException when a name is unknown or the text is not a valid format
     */
    static String expand(String text, Map<String, Object> names, String where) throws ImportException {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            int start = i++;
            String name = null;
            if (i < text.length() && text.charAt(i) == '(') {
                int depth = 1;
                int j = i + 1;
                while (j < text.length() && depth > 0) {
                    depth += text.charAt(j) == '(' ? 1 : text.charAt(j) == ')' ? -1 : 0;
                    j++;
                }
                if (depth > 0) {
                    throw bad(text, where, "incomplete format key");
                }
                name = text.substring(i + 1, j - 1);
                i = j;
            }
            int specStart = i;
            while (i < text.length() && FLAGS.indexOf(text.charAt(i)) >= 0) {
                i++;
            }
            String flags = text.substring(specStart, i);
            int widthStart = i;
            while (i < text.length() && Character.isDigit(text.charAt(i))) {
                i++;
            }
            String width = text.substring(widthStart, i);
            String precision = null;
            if (i < text.length() && text.charAt(i) == '.') {
                int precisionStart = ++i;
                while (i < text.length() && Character.isDigit(text.charAt(i))) {
                    i++;
                }
                precision = text.substring(precisionStart, i);
            }
            while (i < text.length() && "hlL".indexOf(text.charAt(i)) >= 0) {
                i++;
            }
            if (i >= text.length()) {
                throw bad(text, where, "incomplete format");
            }
            char conversion = text.charAt(i++);
            if (conversion == '%') {
                out.append('%');
                continue;
            }
            if (conversion == '*') {
                throw bad(text, where, "a \"*\" width or precision needs positional arguments");
            }
            if ("srauidxXo".indexOf(conversion) < 0) {
                String what = "efFgGEc".indexOf(conversion) >= 0 ? "conversion '" + conversion
                        + "' is not supported by baton import" : "unsupported format character '" + conversion
                        + "' (0x" + Integer.toHexString(conversion) + ") at index " + (i - 1);
                throw bad(text, where, what);
            }
            if (name == null) {
                throw bad(text, where, text.substring(start, i) + " has no name: write %(name)" + conversion
                        + ", or %% for a literal %");
            }
            Spec spec = new Spec(flags, width.isEmpty() ? -1 : Integer.parseInt(width),
                    precision == null ? -1 : precision.isEmpty() ? 0 : Integer.parseInt(precision), conversion);
            out.append(value(name, names, spec, text.substring(specStart, i), text, where));
        }
        return out.toString();
    }

    private static String value(String name, Map<String, Object> names, Spec spec, String written, String text,
                                String where) throws ImportException {
        if (!names.containsKey(name)) {
            throw new ImportException(where + ": " + unknown(name, names));
        }
        Object value = names.get(name);
        if (value == PROCESS_NUM) {
            return WorkerMarks.mark(written.replaceAll("[hlL]", ""));
        }
        if (value instanceof Integer number) {
            return spec.conversion == 'r' || spec.conversion == 'a'
                    ? spec.pad(Integer.toString(number)) : spec.format(number);
        }
        String string = (String) value;
        if ("diuxXo".indexOf(spec.conversion) >= 0) {
            throw bad(text, where, "%" + spec.conversion + " format: a real number is required, not str");
        }
        if (WorkerMarks.marked(string) && (spec.width >= 0 || spec.precision >= 0 || spec.conversion != 's')) {
            throw new ImportException(where + ": %(" + name + ")" + written + " formats a value that differs per"
                    + " worker; Baton cannot do that: use %(" + name + ")s");
        }
        String shown = spec.conversion == 's' ? string : repr(string, spec.conversion == 'a');
        if (spec.precision >= 0 && spec.precision < shown.length()) {
            shown = shown.substring(0, spec.precision);
        }
        return spec.pad(shown);
    }

    /** {@code number} formatted by a Python spec such as {@code 02d} (flags, width, precision, conversion). */
    static String formatInt(int number, String written) {
        int i = 0;
        while (i < written.length() && FLAGS.indexOf(written.charAt(i)) >= 0) {
            i++;
        }
        String flags = written.substring(0, i);
        int widthStart = i;
        while (i < written.length() && Character.isDigit(written.charAt(i))) {
            i++;
        }
        int width = i > widthStart ? Integer.parseInt(written.substring(widthStart, i)) : -1;
        int precision = -1;
        if (i < written.length() && written.charAt(i) == '.') {
            int precisionStart = ++i;
            while (i < written.length() && Character.isDigit(written.charAt(i))) {
                i++;
            }
            precision = i > precisionStart ? Integer.parseInt(written.substring(precisionStart, i)) : 0;
        }
        char conversion = written.charAt(written.length() - 1);
        Spec spec = new Spec(flags, width, precision, conversion);
        return conversion == 'r' || conversion == 'a' ? spec.pad(Integer.toString(number))
                : spec.format(number);
    }

    /** Python's {@code repr()} of a string ({@code ascii()} when {@code ascii}); marks are kept as they are. */
    static String repr(String text, boolean ascii) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(text.length() + 2).append(quote);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == quote || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c >= '\uE000' && c <= '\uF8FF' || c >= ' ' && c < 0x7f
                    || !ascii && c > 0xa0 && !Character.isISOControl(c) && !Character.isSpaceChar(c)) {
                out.append(c);
            } else if (c < 0x100) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append(quote).toString();
    }

    private static String unknown(String name, Map<String, Object> names) {
        if (name.startsWith("ENV_")) {
            return "%(" + name + ")s cannot be expanded: " + name.substring(4) + " is not set in the environment"
                    + " baton import runs in, nor in an environment option before it";
        }
        String available = new TreeSet<>(names.keySet()).stream().filter(n -> !n.startsWith("ENV_"))
                .collect(Collectors.joining(", "));
        return "%(" + name + ")s cannot be expanded; available names: " + available
                + " and ENV_X for each environment variable X";
    }

    private static ImportException bad(String text, String where, String why) {
        return new ImportException(where + ": format string \"" + text + "\" is badly formatted: " + why);
    }

    /** One conversion's flags, width, precision (-1 when absent) and conversion character. */
    private record Spec(String flags, int width, int precision, char conversion) {

        String format(int number) {
            String digits = switch (conversion) {
                case 'x' -> Integer.toHexString(Math.abs(number));
                case 'X' -> Integer.toHexString(Math.abs(number)).toUpperCase(java.util.Locale.ROOT);
                case 'o' -> Integer.toOctalString(Math.abs(number));
                default -> Long.toString(Math.abs((long) number));
            };
            if (conversion == 's') {
                String shown = Integer.toString(number);
                return pad(precision >= 0 && precision < shown.length() ? shown.substring(0, precision) : shown);
            }
            if (precision > digits.length()) {
                digits = "0".repeat(precision - digits.length()) + digits;
            }
            String prefix = number < 0 ? "-" : flags.indexOf('+') >= 0 ? "+" : flags.indexOf(' ') >= 0 ? " " : "";
            if (flags.indexOf('#') >= 0) {
                prefix += conversion == 'x' ? "0x" : conversion == 'X' ? "0X" : conversion == 'o' ? "0o" : "";
            }
            if (flags.indexOf('0') >= 0 && flags.indexOf('-') < 0 && width > prefix.length() + digits.length()) {
                digits = "0".repeat(width - prefix.length() - digits.length()) + digits;
            }
            return pad(prefix + digits);
        }

        String pad(String text) {
            if (width <= text.length()) {
                return text;
            }
            String fill = " ".repeat(width - text.length());
            return flags.indexOf('-') >= 0 ? text + fill : fill + text;
        }
    }
}
