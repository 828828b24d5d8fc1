package dev.baton.docs;

import dev.baton.supervisor.control.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads YAML files (Kubernetes manifests, Ansible playbooks) with PyYAML, the parser Ansible itself uses (Debian
 * package python3-yaml, which ansible-core depends on): python3 turns every document of the file into JSON, which
 * the daemon's own JSON parser reads. Mappings become {@link Map}, sequences {@link List}, integers {@link Long}.
 */
final class Yaml {

    /** Prints the file's documents as one JSON array; a file PyYAML cannot parse exits 1 with its message. */
    private static final String SCRIPT = """
            import json, sys
            try:
                import yaml
            except ImportError:
                sys.exit("python3 has no yaml module: apt-get install python3-yaml")
            with open(sys.argv[1]) as f:
                try:
                    docs = list(yaml.safe_load_all(f))
                except yaml.YAMLError as e:
                    sys.exit(str(e))
            json.dump(docs, sys.stdout)
            """;

    private Yaml() {
    }

    /** Every document of {@code file}, in order. */
    @SuppressWarnings("unchecked")
    static List<Object> documents(Path file) throws IOException, InterruptedException {
        Path out = Files.createTempFile("baton-yaml", ".json");
        Path err = Files.createTempFile("baton-yaml", ".err");
        try {
            Process p = new ProcessBuilder("python3", "-c", SCRIPT, file.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            // About 50 ms; a loaded CI machine may take many times that.
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(file + ": python3 did not finish parsing within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(file + ": not valid YAML: " + Files.readString(err).strip());
            }
            return (List<Object>) Json.parse(Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The map at {@code path} below {@code node} (keys, or list indexes as integers); fails naming the path. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, Object... path) {
        Object value = at(node, path);
        if (!(value instanceof Map)) {
            throw new AssertionError("expected a mapping at " + List.of(path) + ", found " + value);
        }
        return (Map<String, Object>) value;
    }

    /** The list at {@code path} below {@code node}; fails naming the path. */
    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, Object... path) {
        Object value = at(node, path);
        if (!(value instanceof List)) {
            throw new AssertionError("expected a sequence at " + List.of(path) + ", found " + value);
        }
        return (List<Object>) value;
    }

    /** The value at {@code path} below {@code node}, or null where the path ends early. */
    static Object at(Object node, Object... path) {
        Object value = node;
        for (Object step : path) {
            if (step instanceof Integer i && value instanceof List<?> l) {
                value = i < l.size() ? l.get(i) : null;
            } else if (value instanceof Map<?, ?> m) {
                value = m.get(step);
            } else {
                return null;
            }
        }
        return value;
    }
}
