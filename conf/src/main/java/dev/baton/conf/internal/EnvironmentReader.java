package dev.baton.conf.internal;

import dev.baton.conf.Placeholders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.tomlj.TomlArray;

/**
 * Reads a workers' environment: an {@code environment} table ({@code [baton]}'s or a program's) and a program's
 * {@code environment_file}s, read when the configuration is loaded.
 */
public final class EnvironmentReader {

    private EnvironmentReader() {
    }

    /** The {@code environment} table of {@code owner}: strings, {@code ${VAR}} expanded, placeholders checked. */
    public static Map<String, String> table(Section owner, EnvExpander env) {
        Optional<Section> table = owner.section("environment");
        if (table.isEmpty()) {
            return Map.of();
        }
        Section variables = table.get();
        Map<String, String> result = new LinkedHashMap<>();
        for (String name : variables.keys()) {
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                variables.errorAtKey(name, "invalid environment variable name");
                continue;
            }
            variables.string(name).ifPresent(value -> {
                Placeholders.problem(value).ifPresent(message -> variables.error(name, message));
                result.put(name, env.expand(value, message -> variables.error(name, message)));
            });
        }
        return result;
    }

    /**
     * The variables of every file of {@code environment_file} (a path or an array of paths, relative to
     * {@code base}; a leading {@code -} makes a missing file fine), later files over earlier ones.
     */
    static Map<String, String> files(Section program, Path base) {
        Object value = program.get("environment_file");
        Map<String, String> result = new LinkedHashMap<>();
        if (value == null) {
            return result;
        }
        if (value instanceof String path) {
            file(program, base, path, message -> program.error("environment_file", message), result);
        } else if (value instanceof TomlArray array) {
            for (int i = 0; i < array.size(); i++) {
                int index = i;
                if (array.get(i) instanceof String path) {
                    file(program, base, path,
                            message -> program.errorAtElement("environment_file", array, index, message), result);
                } else {
                    program.errorAtElement("environment_file", array, i,
                            "expected a string, found " + Section.typeName(array.get(i)));
                }
            }
        } else {
            program.typeError("environment_file", "a path or an array of paths");
        }
        return result;
    }

    private static void file(Section program, Path base, String written, Consumer<String> error,
                             Map<String, String> into) {
        boolean optional = written.startsWith("-");
        String text = optional ? written.substring(1) : written;
        if (text.isBlank()) {
            error.accept("must name a file");
            return;
        }
        Path path;
        Path shown;
        try {
            path = base.resolve(text).normalize();
            Path given = program.problems().file();
            shown = Path.of(text).isAbsolute() ? path : given.resolveSibling(text).normalize();
        } catch (InvalidPathException e) {
            error.accept("invalid path: " + e.getReason());
            return;
        }
        String contents;
        try {
            contents = Files.readString(path);
        } catch (NoSuchFileException e) {
            if (!optional) {
                error.accept("cannot read " + shown + ": no such file (a leading \"-\" makes it optional)");
            }
            return;
        } catch (IOException e) {
            error.accept("cannot read " + shown + ": " + FileReasons.reason(path, e));
            return;
        }
        EnvFile.Result result = EnvFile.parse(contents);
        Problems problems = program.problems().in(shown);
        for (EnvFile.LineProblem problem : result.problems()) {
            problems.add(problem.line(), 0, program.keyPath("environment_file"), problem.message());
        }
        into.putAll(result.variables());
    }
}
