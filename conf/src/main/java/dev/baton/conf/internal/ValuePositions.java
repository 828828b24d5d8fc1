package dev.baton.conf.internal;

import org.tomlj.TomlPosition;

/**
 * Turns the position tomlj gives for a key ({@code numprocs = "2"}: where {@code numprocs} starts) into the
 * position of its value (where {@code "2"} starts), so that an error points at the text that is wrong.
 * Columns are 1-based and count code points, as tomlj's do.
 */
public final class ValuePositions {

    private final String[] lines;

    public ValuePositions(String text) {
        this.lines = text.split("\n", -1);
    }

    /**
     * The position of the value of the {@code key = value} pair whose key starts at {@code key}. Returns {@code key}
     * unchanged when it is null, points at a table header ({@code [program.web]}) or the line cannot be scanned.
     */
    public TomlPosition valueOf(TomlPosition key) {
        if (key == null || key.line() < 1 || key.line() > lines.length) {
            return key;
        }
        String line = lines[key.line() - 1];
        int start = toIndex(line, key.column());
        if (start < 0 || start >= line.length() || line.charAt(start) == '[') {
            return key;
        }
        int i = skipKey(line, start);
        if (i < 0) {
            return key;
        }
        i = skipBlanks(line, i);
        if (i >= line.length() || line.charAt(i) != '=') {
            return key;
        }
        i = skipBlanks(line, i + 1);
        if (i >= line.length()) {
            return key;
        }
        return TomlPosition.positionAt(key.line(), line.codePointCount(0, i) + 1);
    }

    /** Skips a possibly dotted, possibly quoted key; returns the index after it or -1. */
    private static int skipKey(String line, int i) {
        while (true) {
            i = skipSimpleKey(line, skipBlanks(line, i));
            if (i < 0) {
                return -1;
            }
            int next = skipBlanks(line, i);
            if (next >= line.length() || line.charAt(next) != '.') {
                return i;
            }
            i = next + 1;
        }
    }

    private static int skipSimpleKey(String line, int i) {
        if (i >= line.length()) {
            return -1;
        }
        char c = line.charAt(i);
        if (c == '\'') {
            int end = line.indexOf('\'', i + 1);
            return end < 0 ? -1 : end + 1;
        }
        if (c == '"') {
            for (int j = i + 1; j < line.length(); j++) {
                if (line.charAt(j) == '\\') {
                    j++;
                } else if (line.charAt(j) == '"') {
                    return j + 1;
                }
            }
            return -1;
        }
        int j = i;
        while (j < line.length() && isBareKeyChar(line.charAt(j))) {
            j++;
        }
        return j == i ? -1 : j;
    }

    private static boolean isBareKeyChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    private static int skipBlanks(String line, int i) {
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int toIndex(String line, int column) {
        try {
            return line.offsetByCodePoints(0, column - 1);
        } catch (IndexOutOfBoundsException e) {
            return -1;
        }
    }
}
