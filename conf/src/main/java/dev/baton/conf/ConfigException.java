package dev.baton.conf;

import java.util.List;

/** Thrown when a configuration file cannot be read or is invalid; carries every error found, in file order. */
public final class ConfigException extends Exception {

    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.isEmpty() ? "invalid configuration" : errors.get(0).toString());
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
