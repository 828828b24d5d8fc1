package dev.baton.conf.supervisord;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one file into sections by the rules of Python's {@code configparser.RawConfigParser} as supervisord
 * configures it ({@code inline_comment_prefixes=(';', '#')}, {@code strict=False}):
 * <ul>
 *   <li>a line whose first non-blank character is {@code ;} or {@code #} is a comment; so is the rest of a line from
 *       a {@code ;} or {@code #} that follows whitespace (Python looks for the first occurrence of each prefix,
 *       then the second..., and stops at the first round that finds one after whitespace);</li>
 *   <li>{@code [NAME]} starts a section: the name is everything between the first {@code [} and the last
 *       {@code ]}; a repeated section (in this file or another) is merged, later values winning;</li>
 *   <li>{@code key = value} or {@code key: value}, split at the first {@code =} or {@code :}; keys lower-cased;</li>
 *   <li>a line indented deeper than its option's first line continues the value (joined with a newline); a blank
 *       line inside a value is kept (as an empty line), trailing ones are dropped.</li>
 * </ul>
 */
final class IniFile {

    /** The section whose options are the defaults of every other (Python's {@code DEFAULT}). */
    static final String DEFAULT = "DEFAULT";

    private IniFile() {
    }

    /**
     * Reads {@code text}, the contents of {@code file}, into {@code sections} (merging with those already there).
     *
     * @throws ImportException {@code file:line: message} at the first line Python would reject
     */
    static void read(Path file, String text, Map<String, IniSection> sections) throws ImportException {
        String[] lines = text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        IniSection section = null;
        String key = null;
        List<String> value = null;
        int keyLine = 0;
        int indent = 0;
        String error = null;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            int lineNumber = n + 1;
            String content = strip(line.substring(0, commentStart(line)));
            if (content.isEmpty()) {
                if (value != null && commentStart(line) == line.length()) {
                    value.add("");
                }
                continue;
            }
            int level = firstNonSpace(line);
            if (section != null && key != null && level > indent) {
                value.add(content);
                continue;
            }
            indent = level;
            if (content.startsWith("[") && content.lastIndexOf(']') > 1) {
                finish(section, key, value, file, keyLine);
                key = null;
                value = null;
                String name = content.substring(1, content.lastIndexOf(']'));
                section = sections.computeIfAbsent(name, s -> new IniSection(s, file, lineNumber));
                continue;
            }
            if (section == null) {
                throw new ImportException(file + ":" + lineNumber + ": \"" + content
                        + "\" comes before any [section] header");
            }
            int delimiter = delimiter(content);
            if (delimiter < 0 || strip(content.substring(0, delimiter)).isEmpty()) {
                if (error == null) {
                    error = file + ":" + lineNumber + ": \"" + content + "\" is neither a [section] header, a"
                            + " \"key = value\" line nor a continuation (indented deeper than its key)";
                }
                continue;
            }
            finish(section, key, value, file, keyLine);
            key = strip(content.substring(0, delimiter)).toLowerCase(Locale.ROOT);
            value = new ArrayList<>();
            value.add(strip(content.substring(delimiter + 1)));
            keyLine = lineNumber;
        }
        finish(section, key, value, file, keyLine);
        if (error != null) {
            throw new ImportException(error);
        }
    }

    private static void finish(IniSection section, String key, List<String> value, Path file, int line) {
        if (section != null && key != null) {
            section.put(key, new IniSection.Entry(stripTrailing(String.join("\n", value)), file, line));
        }
    }

    /** Where the comment of {@code line} starts, or its length when it has none. */
    static int commentStart(String line) {
        String stripped = strip(line);
        if (stripped.startsWith(";") || stripped.startsWith("#")) {
            return 0;
        }
        int semicolon = -1;
        int hash = -1;
        boolean searchSemicolon = true;
        boolean searchHash = true;
        while (searchSemicolon || searchHash) {
            int found = Integer.MAX_VALUE;
            if (searchSemicolon) {
                semicolon = line.indexOf(';', semicolon + 1);
                searchSemicolon = semicolon >= 0;
                if (searchSemicolon && afterSpace(line, semicolon)) {
                    found = semicolon;
                }
            }
            if (searchHash) {
                hash = line.indexOf('#', hash + 1);
                searchHash = hash >= 0;
                if (searchHash && afterSpace(line, hash)) {
                    found = Math.min(found, hash);
                }
            }
            if (found != Integer.MAX_VALUE) {
                return found;
            }
        }
        return line.length();
    }

    private static boolean afterSpace(String line, int index) {
        return index == 0 || isSpace(line.charAt(index - 1));
    }

    /** The first {@code =} or {@code :}. */
    private static int delimiter(String content) {
        for (int i = 0; i < content.length(); i++) {
            if (content.charAt(i) == '=' || content.charAt(i) == ':') {
                return i;
            }
        }
        return -1;
    }

    private static int firstNonSpace(String line) {
        int i = 0;
        while (i < line.length() && isSpace(line.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Python's {@code str.isspace} for one character. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Python's {@code str.strip()}. */
    static String strip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    private static String stripTrailing(String text) {
        int end = text.length();
        while (end > 0 && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }
}
