package dev.baton.conf.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into an argument vector the way a POSIX shell (or Python's {@code shlex.split}) does,
 * without running a shell:
 * <ul>
 *   <li>blanks (space, tab, newline, carriage return) separate words;</li>
 *   <li>{@code '...'} keeps everything up to the next single quote literally;</li>
 *   <li>{@code "..."} keeps everything literally except {@code \"} and {@code \\};</li>
 *   <li>outside quotes a backslash keeps the next character literally;</li>
 *   <li>a backslash before a newline (outside single quotes) continues the line;</li>
 *   <li>quotes join with adjacent text ({@code a'b c'd} is one word {@code ab cd}); {@code ''} is an empty word.</li>
 * </ul>
 * Nothing else is special: no {@code #} comments, globs, pipes or redirections.
 */
public final class CommandSplitter {

    private CommandSplitter() {
    }

    /**
     * Splits {@code command} into words.
     *
     * @throws IllegalArgumentException with a short message when a quote is not closed or a backslash ends the text
     */
    public static List<String> split(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < command.length()) {
            char c = command.charAt(i);
            if (isBlank(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\'') {
                int end = command.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unbalanced single quote");
                }
                word.append(command, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i = doubleQuoted(command, i + 1, word);
                inWord = true;
            } else if (c == '\\') {
                i = escaped(command, i + 1, word);
                inWord = inWord || word.length() > 0;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends the character after a backslash outside quotes; returns the index after it. */
    private static int escaped(String command, int i, StringBuilder word) {
        if (i >= command.length()) {
            throw new IllegalArgumentException("ends with a lone backslash");
        }
        char c = command.charAt(i);
        if (c != '\n') {
            word.append(c);
        }
        return i + 1;
    }

    /** Appends a double-quoted text starting after its opening quote; returns the index after the closing quote. */
    private static int doubleQuoted(String command, int i, StringBuilder word) {
        while (i < command.length()) {
            char c = command.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < command.length()) {
                char next = command.charAt(i + 1);
                if (next == '"' || next == '\\') {
                    word.append(next);
                    i += 2;
                    continue;
                }
                if (next == '\n') {
                    i += 2;
                    continue;
                }
            }
            word.append(c);
            i++;
        }
        throw new IllegalArgumentException("unbalanced double quote");
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
