package dev.baton.conf.supervisord;

import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Marks where an expanded value uses {@code %(process_num)}: the value differs per worker, and becomes Baton's
 * {@code {worker}} placeholder. A mark is made of private-use characters only ({@code U+E000}, the Python format
 * spec with each character shifted into {@code U+F000..U+F07F}, {@code U+E001}), so that it survives the other
 * steps of an import unchanged: a second expansion (no {@code %}), and {@link KeyValuePairs}, which counts these
 * characters as word characters, as it would the digits they stand for.
 */
final class WorkerMarks {

    static final char OPEN = '\uE000';
    static final char CLOSE = '\uE001';
    private static final char SHIFT = '\uF000';

    /** A Python spec Baton's {@code {worker}} can write: optional zero flag, width, {@code d} or alike. */
    private static final Pattern SIMPLE = Pattern.compile("(0?)([1-9][0-9]?)?[dius]");
    private static final Pattern PRECISION = Pattern.compile("0?\\.([1-9][0-9]?)[diu]");

    private WorkerMarks() {
    }

    /** The mark of {@code %(process_num)SPEC}, SPEC being flags, width, precision and conversion ({@code 02d}). */
    static String mark(String spec) {
        StringBuilder out = new StringBuilder(spec.length() + 2).append(OPEN);
        for (char c : spec.toCharArray()) {
            out.append((char) (SHIFT + c));
        }
        return out.append(CLOSE).toString();
    }

    /** True when {@code text} holds at least one mark. */
    static boolean marked(String text) {
        return text.indexOf(OPEN) >= 0;
    }

    /**
     * {@code text} as a Baton template: each mark becomes {@code {worker}} or {@code {worker:02}}, the text around
     * them goes through {@code literal} (escaping). A spec Baton cannot write ({@code x}, {@code -3d}) becomes
     * {@code {worker}} and is reported to {@code unsupported}.
     */
    static String template(String text, UnaryOperator<String> literal, Consumer<String> unsupported) {
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        int open;
        while ((open = text.indexOf(OPEN, from)) >= 0) {
            int close = text.indexOf(CLOSE, open);
            out.append(literal.apply(text.substring(from, open)));
            out.append(placeholder(spec(text, open, close), unsupported));
            from = close + 1;
        }
        return out.append(literal.apply(text.substring(from))).toString();
    }

    /** {@code text} with each mark replaced by {@code number} formatted as its spec says. */
    static String concrete(String text, int number) {
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        int open;
        while ((open = text.indexOf(OPEN, from)) >= 0) {
            int close = text.indexOf(CLOSE, open);
            out.append(text, from, open);
            out.append(Expansion.formatInt(number, spec(text, open, close)));
            from = close + 1;
        }
        return out.append(text.substring(from)).toString();
    }

    private static String spec(String text, int open, int close) {
        StringBuilder spec = new StringBuilder(close - open);
        for (int i = open + 1; i < close; i++) {
            spec.append((char) (text.charAt(i) - SHIFT));
        }
        return spec.toString();
    }

    private static String placeholder(String spec, Consumer<String> unsupported) {
        Matcher simple = SIMPLE.matcher(spec);
        if (simple.matches()) {
            return simple.group(2) == null ? "{worker}" : "{worker:" + simple.group(1) + simple.group(2) + "}";
        }
        if (spec.equals("r")) {
            return "{worker}";
        }
        Matcher precision = PRECISION.matcher(spec);
        if (precision.matches()) {
            return "{worker:0" + precision.group(1) + "}";
        }
        unsupported.accept("%(process_num)" + spec + " has no Baton equivalent, written as {worker}: Baton's"
                + " {worker} takes only a width, such as {worker:02} or {worker:3}");
        return "{worker}";
    }
}
