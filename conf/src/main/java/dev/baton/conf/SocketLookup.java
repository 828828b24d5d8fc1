package dev.baton.conf;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds {@code [baton] socket} in a configuration file's text without a TOML parser, for the command-line client:
 * loading and running tomlj's generated parser is a sixth of a {@code baton status}.
 *
 * <p>It only answers for files laid out the usual way: table headers, {@code key = value} lines whose value ends on
 * the same line, comments and blank lines, and the socket as a plain one-line string. Anything else (multi-line
 * strings or arrays, {@code baton.socket} as a dotted key, an inline {@code baton} table, escapes in the value, a
 * repeated key, a line it cannot read) gives {@link Optional#empty()}, and the caller parses the file properly.
 */
public final class SocketLookup {

    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern KEY_LINE = Pattern.compile("\\s*([A-Za-z0-9_.\\-\"' ]+?)\\s*=\\s*(.*)");
    private static final Pattern HEADER = Pattern.compile("\\s*(\\[\\[?)([^\\[\\]#]+)(]]?)\\s*(#.*)?");

    private SocketLookup() {
    }

    /**
     * The socket path as written in the file ({@link DaemonSettings#DEFAULT_SOCKET} when the file sets none), or
     * empty when the file is not laid out simply enough to tell without parsing it.
     */
    public static Optional<String> scan(String text) {
        if (text.contains("\"\"\"") || text.contains("'''")) {
            return Optional.empty();
        }
        boolean atRoot = true;
        boolean inBaton = false;
        boolean sawBaton = false;
        String found = null;
        for (String line : text.split("\r?\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.startsWith("[")) {
                Matcher header = HEADER.matcher(line);
                if (!header.matches() || header.group(1).length() != header.group(3).length()) {
                    return Optional.empty();
                }
                String name = unquote(header.group(2).strip());
                boolean baton = "baton".equals(name);
                if (baton && (sawBaton || header.group(1).length() == 2)) {
                    return Optional.empty();
                }
                sawBaton |= baton;
                inBaton = baton;
                atRoot = false;
                continue;
            }
            Matcher kv = KEY_LINE.matcher(line);
            if (!kv.matches() || !endsOnThisLine(kv.group(2))) {
                return Optional.empty();
            }
            String key = kv.group(1).strip();
            if (atRoot && key.replace("\"", "").replace("'", "").strip().startsWith("baton")) {
                return Optional.empty(); // baton.socket = ..., or baton = { ... }, before any table
            }
            if (inBaton && "socket".equals(unquote(key))) {
                if (found != null) {
                    return Optional.empty();
                }
                found = plainString(kv.group(2));
                if (found == null) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(found == null ? DaemonSettings.DEFAULT_SOCKET : found);
    }

    /** A bare key, or one quoted key without escapes; null for anything else (dotted keys among them). */
    private static String unquote(String key) {
        if (BARE_KEY.matcher(key).matches()) {
            return key;
        }
        if (key.length() >= 2 && (key.charAt(0) == '"' || key.charAt(0) == '\'')
                && key.charAt(key.length() - 1) == key.charAt(0)) {
            String inner = key.substring(1, key.length() - 1);
            if (inner.indexOf('"') < 0 && inner.indexOf('\'') < 0 && inner.indexOf('\\') < 0) {
                return inner;
            }
        }
        return null;
    }

    /** {@code "text"} or {@code 'text'}, then at most a comment; null for escapes or anything else. */
    private static String plainString(String value) {
        if (value.isEmpty() || (value.charAt(0) != '"' && value.charAt(0) != '\'')) {
            return null;
        }
        char quote = value.charAt(0);
        int end = value.indexOf(quote, 1);
        if (end < 0) {
            return null;
        }
        String inner = value.substring(1, end);
        String rest = value.substring(end + 1).strip();
        if (inner.indexOf('\\') >= 0 || (!rest.isEmpty() && !rest.startsWith("#"))) {
            return null;
        }
        return inner;
    }

    /** Whether a value's brackets and strings close on its own line (outside strings, a '#' starts a comment). */
    private static boolean endsOnThisLine(String value) {
        int depth = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\'') {
                int close = i + 1;
                while (close < value.length() && value.charAt(close) != c) {
                    close += (c == '"' && value.charAt(close) == '\\') ? 2 : 1;
                }
                if (close >= value.length()) {
                    return false;
                }
                i = close;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
            } else if (c == '#') {
                break;
            }
        }
        return depth == 0;
    }
}
