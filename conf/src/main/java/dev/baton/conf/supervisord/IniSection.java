package dev.baton.conf.supervisord;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One section of supervisord's files, merged over every file that has it (later values win), with where it first
 * appeared and where each value came from.
 */
final class IniSection {

    /** One option's value (continuation lines joined with newlines) and the file and line of its key. */
    record Entry(String value, Path file, int line) {
    }

    private final String name;
    private final Path file;
    private final int line;
    private final Map<String, Entry> options = new LinkedHashMap<>();

    IniSection(String name, Path file, int line) {
        this.name = name;
        this.file = file;
        this.line = line;
    }

    /** The text between the brackets: {@code program:web}. */
    String name() {
        return name;
    }

    /** The file of the section's first header. */
    Path file() {
        return file;
    }

    /** The line of the section's first header. */
    int line() {
        return line;
    }

    /** Every option, keys lower-cased, in the order first set. */
    Map<String, Entry> options() {
        return Collections.unmodifiableMap(options);
    }

    Optional<Entry> get(String key) {
        return Optional.ofNullable(options.get(key));
    }

    boolean has(String key) {
        return options.containsKey(key);
    }

    void put(String key, Entry entry) {
        options.put(key, entry);
    }

    /** {@code file:line} of {@code key}, or of the header when the key is not set. */
    String where(String key) {
        Entry entry = options.get(key);
        return entry == null ? file + ":" + line : entry.file() + ":" + entry.line();
    }

    /** The part after the colon, trimmed: {@code web} of {@code program:web}; empty without a colon. */
    String suffix() {
        int colon = name.indexOf(':');
        return colon < 0 ? "" : name.substring(colon + 1).strip();
    }

    /** The part before the colon: {@code program} of {@code program:web}. */
    String kind() {
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }
}
