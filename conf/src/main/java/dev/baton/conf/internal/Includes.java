package dev.baton.conf.internal;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlVersion;

/**
 * {@code [baton] include}: the files it names (globs, sorted, relative to the main file's folder), each read as
 * a file of {@code [program.NAME]} and {@code [group.NAME]} tables only. Includes do not nest: an included file
 * has no {@code [baton]}, so no {@code include}.
 */
public final class Includes {

    /** The tables an included file may have. */
    private static final List<String> TABLES = List.of("program", "group");

    private Includes() {
    }

    /** An included file: where it is (absolute) and how messages name it (beside the main file as given). */
    public record File(Path path, Path shown) {
    }

    /**
     * The files {@code [baton] include} names, in order: each glob's matches sorted, a file named twice (or the
     * main file) only once. A glob matching nothing is fine; a plain path that does not exist is an error.
     *
     * @param base the main file's folder
     * @param main the main file (absolute)
     */
    public static List<File> files(Section baton, Path base, Path main) {
        Object value = baton.get("include");
        List<File> files = new ArrayList<>();
        if (value == null) {
            return files;
        }
        List<Path> seen = new ArrayList<>(List.of(main));
        if (value instanceof String pattern) {
            add(baton, base, pattern, message -> baton.error("include", message), seen, files);
        } else if (value instanceof TomlArray array) {
            for (int i = 0; i < array.size(); i++) {
                int index = i;
                if (array.get(i) instanceof String pattern) {
                    add(baton, base, pattern, message -> baton.errorAtElement("include", array, index, message),
                            seen, files);
                } else {
                    baton.errorAtElement("include", array, i, "expected a path or glob, found "
                            + Section.typeName(array.get(i)));
                }
            }
        } else {
            baton.typeError("include", "an array of paths or globs");
        }
        return files;
    }

    private static void add(Section baton, Path base, String pattern, Consumer<String> error,
                            List<Path> seen, List<File> files) {
        if (pattern.isBlank()) {
            error.accept("must not be empty");
            return;
        }
        List<Path> matches;
        try {
            matches = matches(base, pattern);
        } catch (IllegalArgumentException e) {
            error.accept("invalid path or glob: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            return;
        } catch (IOException e) {
            error.accept("cannot list " + pattern + ": " + FileReasons.reason(base.resolve(pattern), e));
            return;
        }
        if (matches == null) {
            error.accept("cannot read " + shown(baton, base, base.resolve(pattern).normalize())
                    + ": no such file (a glob such as conf.d/*.toml may match nothing)");
            return;
        }
        for (Path match : matches) {
            if (!seen.contains(match)) {
                seen.add(match);
                files.add(new File(match, shown(baton, base, match)));
            }
        }
    }

    /** The regular files {@code pattern} matches, sorted; null for a plain path that does not exist. */
    private static List<Path> matches(Path base, String pattern) throws IOException {
        Path full = base.resolve(pattern).normalize();
        if (!isGlob(pattern)) {
            return Files.exists(full) ? List.of(full) : null;
        }
        Path root = full.getRoot();
        int depth = 0;
        boolean deep = false;
        for (Path part : full) {
            if (depth == 0 && !isGlob(part.toString())) {
                root = root.resolve(part);
            } else {
                depth++;
                deep |= part.toString().contains("**");
            }
        }
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + full);
        try (Stream<Path> walk = Files.walk(root, deep ? Integer.MAX_VALUE : depth)) {
            return walk.filter(p -> matcher.matches(p) && Files.isRegularFile(p)).sorted()
                    .collect(Collectors.toList());
        }
    }

    private static boolean isGlob(String text) {
        return text.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** The file as messages name it: beside the main file as the user named it, or absolute when elsewhere. */
    private static Path shown(Section baton, Path base, Path file) {
        return file.startsWith(base) ? baton.problems().file().resolveSibling(base.relativize(file)) : file;
    }

    /**
     * Reads one included file into {@code definitions}; its problems go to {@code problems.in(file.shown())}.
     *
     * @return false when it could not be read or parsed (its definitions are then missing)
     */
    public static boolean read(File file, Problems problems, Definitions definitions) {
        Problems own = problems.in(file.shown());
        String text;
        try {
            text = Files.readString(file.path());
        } catch (IOException e) {
            own.add(0, 0, null, "cannot read: " + FileReasons.reason(file.path(), e));
            return false;
        }
        TomlParseResult toml = Toml.parse(text, TomlVersion.V1_0_0);
        for (TomlParseError error : toml.errors()) {
            own.add(error.position(), null, error.getMessage());
        }
        if (!toml.errors().isEmpty()) {
            return false;
        }
        Section root = new Section(toml, List.of(), TomlPosition.positionAt(1, 1), own, new ValuePositions(text));
        if (root.has("baton")) {
            Optional<Section> baton = root.section("baton");
            root.errorAtKey("baton", "only the main file may have [baton]"
                    + (baton.isPresent() && baton.get().has("include")
                            ? ": includes do not nest, list every file in the main file's include" : ""));
        }
        root.rejectUnknownKeys(Stream.concat(TABLES.stream(), Stream.of("baton")).collect(Collectors.toList()),
                Map.of());
        definitions.read(root, file.path().getParent());
        return true;
    }
}
