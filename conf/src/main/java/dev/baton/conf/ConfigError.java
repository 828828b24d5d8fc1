package dev.baton.conf;

import java.nio.file.Path;

/**
 * One problem in a configuration file, located by line, column (1-based; 0 when unknown) and key path.
 * Renders as {@code baton.toml:7:12: program.web.numprocs: expected an integer, found a string}.
 */
public record ConfigError(Path file, int line, int column, String keyPath, String message) {

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(file.getFileName() == null ? file.toString() : file.toString());
        if (line > 0) {
            s.append(':').append(line);
            if (column > 0) {
                s.append(':').append(column);
            }
        }
        s.append(": ");
        if (keyPath != null && !keyPath.isEmpty()) {
            s.append(keyPath).append(": ");
        }
        return s.append(message).toString();
    }
}
