package dev.baton.conf;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The per-worker placeholders of templates ({@code command}, {@code environment} values, {@code process_name},
 * {@code stdout_logfile}, {@code stderr_logfile}): {@code {worker}}, {@code {generation}}, {@code {port}},
 * {@code {socket}}, {@code {program}} and {@code {process_name}}.
 *
 * <p>A number may carry a format spec after a colon, as in Python's {@code str.format}: a width, zero-padded when
 * it starts with 0, and an optional {@code d}: {@code {worker:02}} is {@code 03} for worker 3, {@code {worker:3}}
 * is {@code "  3"}. Braces around any other text are left as they are.
 */
public final class Placeholders {

    /** The placeholder names, as written between braces. */
    public static final java.util.List<String> NAMES =
            java.util.List.of("worker", "generation", "port", "socket", "program", "process_name");

    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\{(worker|generation|port|socket|program|process_name)(?::([^{}]*))?}");
    private static final Pattern NUMBER_SPEC = Pattern.compile("(0?)([1-9][0-9]?)?d?");

    private Placeholders() {
    }

    /** Why {@code template} cannot be expanded (a bad format spec), or empty when it can. */
    public static Optional<String> problem(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            String spec = m.group(2);
            if (spec == null) {
                continue;
            }
            boolean number = m.group(1).equals("worker") || m.group(1).equals("generation");
            if (!number) {
                return Optional.of("{" + m.group(1) + "} takes no format spec, found \"" + m.group() + "\"");
            }
            if (spec.isEmpty() || !NUMBER_SPEC.matcher(spec).matches()) {
                return Optional.of("invalid format spec in \"" + m.group() + "\": use a width such as {"
                        + m.group(1) + ":02} (zero-padded) or {" + m.group(1) + ":3}");
            }
        }
        return Optional.empty();
    }

    /** Does {@code template} use placeholder {@code name}, with or without a format spec? */
    public static boolean uses(String template, String name) {
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Replaces each placeholder named in {@code values} (an {@link Integer} or a {@link String}); those not named
     * there, and a format spec that {@link #problem} would reject, are left as written.
     */
    public static String expand(String template, Map<String, ?> values) {
        if (template.indexOf('{') < 0) {
            return template;
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 16);
        while (m.find()) {
            Object value = values.get(m.group(1));
            String replacement = value == null ? m.group() : format(value, m.group(2), m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String format(Object value, String spec, String written) {
        if (spec == null) {
            return value.toString();
        }
        Matcher s = NUMBER_SPEC.matcher(spec);
        if (!(value instanceof Integer number) || spec.isEmpty() || !s.matches()) {
            return written;
        }
        String digits = Integer.toString(number);
        int width = s.group(2) == null ? 0 : Integer.parseInt(s.group(2));
        if (digits.length() >= width) {
            return digits;
        }
        String pad = (s.group(1).isEmpty() ? " " : "0").repeat(width - digits.length());
        return number < 0 && !s.group(1).isEmpty() ? "-" + pad + digits.substring(1) : pad + digits;
    }
}
