package dev.baton.conf.supervisord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One TOML table of the output, written with comments above its header and after its keys. Values are
 * {@link String}, {@link Long}, {@link Integer}, {@link Boolean} or a {@link List} of those.
 */
final class TomlTable {

    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private final List<String> path;
    private final List<String> above = new ArrayList<>();
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final List<String> below = new ArrayList<>();

    TomlTable(String... path) {
        this.path = List.of(path);
    }

    TomlTable comment(String line) {
        above.add(line);
        return this;
    }

    TomlTable put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    /** A comment line after the keys ({@code # listen = "..."}). */
    TomlTable trailer(String line) {
        below.add(line);
        return this;
    }

    boolean isEmpty() {
        return values.isEmpty() && below.isEmpty();
    }

    void write(StringBuilder out) {
        for (String line : above) {
            out.append("# ").append(line).append('\n');
        }
        out.append('[').append(String.join(".", path.stream().map(TomlTable::key).toList())).append("]\n");
        values.forEach((key, value) -> out.append(key(key)).append(" = ").append(value(value)).append('\n'));
        for (String line : below) {
            out.append("# ").append(line).append('\n');
        }
    }

    static String key(String key) {
        return BARE_KEY.matcher(key).matches() ? key : string(key);
    }

    private static String value(Object value) {
        if (value instanceof String s) {
            return string(s);
        }
        if (value instanceof List<?> list) {
            return "[" + String.join(", ", list.stream().map(TomlTable::value).toList()) + "]";
        }
        return String.valueOf(value);
    }

    /** A TOML basic string: {@code \ " } and control characters escaped. */
    static String string(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
