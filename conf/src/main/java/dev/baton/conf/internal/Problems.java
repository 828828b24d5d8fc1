package dev.baton.conf.internal;

import dev.baton.conf.ConfigError;
import dev.baton.conf.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.tomlj.TomlPosition;

/** Collects every problem found in one configuration file; {@link #throwIfAny()} reports them in file order. */
public final class Problems {

    private static final Comparator<ConfigError> FILE_ORDER =
            Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column);

    private final Path file;
    private final List<ConfigError> errors = new ArrayList<>();

    /** @param file the file as the user named it; it prefixes every rendered error */
    public Problems(Path file) {
        this.file = file;
    }

    /** Records a problem; a null position means "unknown" (line 0). */
    public void add(TomlPosition position, String keyPath, String message) {
        int line = position == null ? 0 : position.line();
        int column = position == null ? 0 : position.column();
        errors.add(new ConfigError(file, line, column, keyPath, message));
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Throws one exception carrying every problem, sorted by line then column (stable for equal positions). */
    public void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            List<ConfigError> sorted = new ArrayList<>(errors);
            sorted.sort(FILE_ORDER);
            throw new ConfigException(sorted);
        }
    }
}
