package dev.baton.it;

import java.util.Map;

/**
 * Reads what the CLI prints ({@code status --json}) and what the workers answer, with the daemon's own parser
 * (which thereby also meets the Python-produced JSON of the fixtures). Objects become {@link Map}, arrays
 * {@link java.util.List}, numbers {@link Long} or {@link Double}.
 */
final class Json {

    private Json() {
    }

    static Object parse(String text) {
        return dev.baton.supervisor.control.Json.parse(text);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String text) {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("expected a JSON object: " + text);
        }
        return (Map<String, Object>) value;
    }
}
