package dev.baton.conf.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses an environment file the way systemd's {@code EnvironmentFile=} does (systemd.exec(5)):
 * <ul>
 *   <li>one {@code KEY=VALUE} per line; blank lines and lines starting with {@code #} or {@code ;} are skipped;
 *       whitespace around the key and around the value is dropped, inside the value it is kept;</li>
 *   <li>an unquoted value keeps a backslash's next character ({@code \\} is {@code \}) and a backslash at the
 *       end of a line continues the value on the next line; quotes inside it are kept;</li>
 *   <li>{@code 'single quotes'} keep everything up to the next single quote, newlines too, no escapes;</li>
 *   <li>{@code "double quotes"} may span lines; a backslash before {@code " \ ` $} keeps that character,
 *       before a newline continues the line, before anything else stays with the character;</li>
 *   <li>quoted and unquoted pieces right after one another form one value ({@code A="x"y} is {@code xy});</li>
 *   <li>no {@code ${VAR}} expansion, no {@code export}; a later assignment of a key replaces an earlier one's value.</li>
 * </ul>
 * Where systemd silently skips a line (no {@code =}, an invalid name such as {@code export A}) or takes an
 * unclosed quote up to the end of the file, this reports a problem with the line number instead.
 */
final class EnvFile {

    /** The variables of a file, in the order first assigned, and its problems. */
    record Result(Map<String, String> variables, List<LineProblem> problems) {
    }

    /** A problem on line {@code line} (1-based) of the file. */
    record LineProblem(int line, String message) {
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final String text;
    private final Map<String, String> variables = new LinkedHashMap<>();
    private final List<LineProblem> problems = new ArrayList<>();
    private int i;
    private int line = 1;

    private EnvFile(String text) {
        this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    static Result parse(String text) {
        EnvFile file = new EnvFile(text);
        file.run();
        return new Result(Collections.unmodifiableMap(file.variables), List.copyOf(file.problems));
    }

    private void run() {
        while (i < text.length()) {
            skipBlanks();
            if (i >= text.length()) {
                return;
            }
            char c = text.charAt(i);
            if (isNewline(c)) {
                newline();
            } else if (c == '#' || c == ';') {
                skipToEndOfLine();
            } else {
                assignment();
            }
        }
    }

    /** A {@code KEY=VALUE} line (a value may continue on the next lines). */
    private void assignment() {
        int start = line;
        int keyStart = i;
        while (i < text.length() && text.charAt(i) != '=' && !isNewline(text.charAt(i))) {
            i++;
        }
        String key = text.substring(keyStart, i).strip();
        if (i >= text.length() || text.charAt(i) != '=') {
            problems.add(new LineProblem(start, "expected KEY=VALUE, found \"" + key + "\""));
            skipToEndOfLine();
            return;
        }
        i++;
        String value = value();
        if (value == null) {
            return;
        }
        if (key.startsWith("export ") || key.startsWith("export\t")) {
            problems.add(new LineProblem(start, "\"export\" is not supported (as systemd): write "
                    + key.substring(7).strip() + "=..."));
        } else if (!NAME.matcher(key).matches()) {
            problems.add(new LineProblem(start, "invalid variable name \"" + key
                    + "\": use letters, digits and \"_\", not starting with a digit"));
        } else {
            variables.put(key, value);
        }
    }

    /**
     * The value after {@code =}, up to the end of its last line (continued by a backslash or inside quotes), or null
     * after reporting an unclosed quote. Leading blanks and blanks between quoted pieces are dropped, as are the
     * trailing blanks of an unquoted piece.
     */
    private String value() {
        StringBuilder out = new StringBuilder();
        boolean unquoted = false;
        int trailing = -1;
        while (i < text.length() && !isNewline(text.charAt(i))) {
            char c = text.charAt(i++);
            if (!unquoted) {
                if (isBlank(c)) {
                    continue;
                }
                if (c == '\'' || c == '"') {
                    int opened = line;
                    if (!(c == '\'' ? singleQuoted(out) : doubleQuoted(out))) {
                        problems.add(new LineProblem(opened, "unclosed " + (c == '\'' ? "single" : "double")
                                + " quote"));
                        return null;
                    }
                    continue;
                }
                unquoted = true;
            }
            if (c == '\\') {
                trailing = -1;
                if (i < text.length()) {
                    char next = text.charAt(i++);
                    if (isNewline(next)) {
                        countNewline(next);
                    } else {
                        out.append(next);
                    }
                }
            } else {
                if (!isBlank(c)) {
                    trailing = -1;
                } else if (trailing < 0) {
                    trailing = out.length();
                }
                out.append(c);
            }
        }
        if (trailing >= 0) {
            out.setLength(trailing);
        }
        return out.toString();
    }

    private boolean singleQuoted(StringBuilder out) {
        while (i < text.length()) {
            char c = text.charAt(i++);
            if (c == '\'') {
                return true;
            }
            if (isNewline(c)) {
                countNewline(c);
            }
            out.append(c);
        }
        return false;
    }

    private boolean doubleQuoted(StringBuilder out) {
        while (i < text.length()) {
            char c = text.charAt(i++);
            if (c == '"') {
                return true;
            }
            if (c == '\\' && i < text.length()) {
                char next = text.charAt(i++);
                if (isNewline(next)) {
                    countNewline(next);
                } else if ("\"\\`$".indexOf(next) >= 0) {
                    out.append(next);
                } else {
                    out.append('\\').append(next);
                }
                continue;
            }
            if (isNewline(c)) {
                countNewline(c);
            }
            out.append(c);
        }
        return false;
    }

    private void skipToEndOfLine() {
        while (i < text.length() && !isNewline(text.charAt(i))) {
            i++;
        }
    }

    private void skipBlanks() {
        while (i < text.length() && isBlank(text.charAt(i))) {
            i++;
        }
    }

    /** Steps over the newline at {@code i} ({@code \n}, {@code \r\n} or {@code \r}). */
    private void newline() {
        countNewline(text.charAt(i++));
    }

    /** Counts a newline just read; {@code \r\n} counts once. */
    private void countNewline(char c) {
        if (c == '\r' && i < text.length() && text.charAt(i) == '\n') {
            i++;
        }
        line++;
    }

    private static boolean isNewline(char c) {
        return c == '\n' || c == '\r';
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
