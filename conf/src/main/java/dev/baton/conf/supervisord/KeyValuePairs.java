package dev.baton.conf.supervisord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * supervisord's {@code dict_of_key_value_pairs}: {@code environment=A="1",B="x,y"} read with Python's
 * {@code shlex.shlex} in its default, non-POSIX mode, with {@code /.+-():} added to the word characters.
 *
 * <p>The quirks kept: tokens are taken three at a time ({@code KEY = VALUE}) and the fourth, whatever it is, is
 * skipped as the separator; quotes stay part of a token and then every leading and trailing quote is stripped from
 * the value; there is no backslash escape; a quote inside a word is part of it; {@code #} starts a comment up to the
 * end of the line, and inside a word the word goes on after it on the next line. {@link WorkerMarks} characters
 * count as word characters.
 */
final class KeyValuePairs {

    private static final String WORD_EXTRA = "_/.+-():";
    private static final String WHITESPACE = " \t\r\n";

    private KeyValuePairs() {
    }

    /**
     * The pairs of {@code text}, in order; a repeated key keeps its last value.
     *
     * @throws IllegalArgumentException with supervisord's reason when the text is not a list of pairs
     */
    static Map<String, String> parse(String text) {
        List<String> tokens = tokens(text);
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i += 4) {
            if (i + 3 > tokens.size() || !tokens.get(i + 1).equals("=")) {
                throw new IllegalArgumentException("unexpected end of key/value pairs in \"" + text + "\"");
            }
            pairs.put(tokens.get(i), strip(tokens.get(i + 2)));
        }
        return pairs;
    }

    private static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        char state = ' ';
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i++);
            if (state == ' ') {
                if (WHITESPACE.indexOf(c) >= 0) {
                    continue;
                } else if (c == '#') {
                    i = endOfLine(text, i);
                } else if (isWordChar(c)) {
                    token.append(c);
                    state = 'a';
                } else if (c == '\'' || c == '"') {
                    token.append(c);
                    state = c;
                } else {
                    tokens.add(String.valueOf(c));
                }
            } else if (state == 'a') {
                if (WHITESPACE.indexOf(c) >= 0) {
                    tokens.add(token.toString());
                    token.setLength(0);
                    state = ' ';
                } else if (c == '#') {
                    i = endOfLine(text, i);
                } else if (isWordChar(c) || c == '\'' || c == '"') {
                    token.append(c);
                } else {
                    tokens.add(token.toString());
                    token.setLength(0);
                    tokens.add(String.valueOf(c));
                    state = ' ';
                }
            } else {
                token.append(c);
                if (c == state) {
                    tokens.add(token.toString());
                    token.setLength(0);
                    state = ' ';
                }
            }
        }
        if (state == '\'' || state == '"') {
            throw new IllegalArgumentException("no closing quotation in \"" + text + "\"");
        }
        if (token.length() > 0) {
            tokens.add(token.toString());
        }
        return tokens;
    }

    /** The index after the newline that ends the line {@code from} is on (Python's {@code readline}). */
    private static int endOfLine(String text, int from) {
        int newline = text.indexOf('\n', from);
        return newline < 0 ? text.length() : newline + 1;
    }

    private static boolean isWordChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || WORD_EXTRA.indexOf(c) >= 0
                || c == WorkerMarks.OPEN || c == WorkerMarks.CLOSE || c >= '\uF000' && c <= '\uF07F';
    }

    private static String strip(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == '\'' || value.charAt(start) == '"')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == '\'' || value.charAt(end - 1) == '"')) {
            end--;
        }
        return value.substring(start, end);
    }
}
