package dev.baton.conf.internal;

import dev.baton.conf.ConfigError;
import dev.baton.conf.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tomlj.TomlPosition;

/**
 * Collects every problem found in one configuration file, and in the files it brings in (included files,
 * environment files), each kept apart; {@link #throwIfAny()} reports them file by file, each in file order.
 */
public final class Problems {

    private static final Comparator<ConfigError> FILE_ORDER =
            Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column);

    private final Path file;
    private final List<ConfigError> errors = new ArrayList<>();
    private final Map<Path, Problems> others = new LinkedHashMap<>();

    /** @param file the file as the user named it; it prefixes every rendered error */
    public Problems(Path file) {
        this.file = file;
    }

    /** The file as the user named it. */
    public Path file() {
        return file;
    }

    /**
     * The problems of another file, as named in messages; they are reported after this file's, in the order the
     * files were first named here.
     */
    public Problems in(Path other) {
        return other.equals(file) ? this : others.computeIfAbsent(other, Problems::new);
    }

    /** Records a problem; a null position means "unknown" (line 0). */
    public void add(TomlPosition position, String keyPath, String message) {
        add(position == null ? 0 : position.line(), position == null ? 0 : position.column(), keyPath, message);
    }

    /** Records a problem at a line and column (1-based; 0 when unknown). */
    public void add(int line, int column, String keyPath, String message) {
        errors.add(new ConfigError(file, line, column, keyPath, message));
    }

    public boolean isEmpty() {
        return errors.isEmpty() && others.values().stream().allMatch(Problems::isEmpty);
    }

    /**
     * Throws one exception carrying every problem: this file's sorted by line then column (stable for equal
     * positions), then each other file's likewise.
     */
    public void throwIfAny() throws ConfigException {
        if (!isEmpty()) {
            List<ConfigError> all = new ArrayList<>();
            collect(all);
            throw new ConfigException(all);
        }
    }

    private void collect(List<ConfigError> all) {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(FILE_ORDER);
        all.addAll(sorted);
        for (Problems other : others.values()) {
            other.collect(all);
        }
    }
}
