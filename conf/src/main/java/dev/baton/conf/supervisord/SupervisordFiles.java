package dev.baton.conf.supervisord;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * supervisord's main file and the files its {@code [include] files} globs name, read into one set of sections as
 * supervisord reads them: the globs are space-separated, relative to the main file's folder, with
 * {@code %(here)s}, {@code %(host_node_name)s} and {@code %(ENV_X)s} expanded; each glob's matches are read in
 * sorted order; an included file's own {@code [include]} is not followed. When the main file has an
 * {@code [include]} section, every {@code %(here)s} is replaced by the folder of the file its value came from.
 *
 * @param sections every section in the order first seen, {@code DEFAULT}'s options merged into each
 * @param files    the main file, then each included file in the order read
 * @param notes    globs that matched nothing, an {@code [include]} in an included file
 */
record SupervisordFiles(List<IniSection> sections, List<Path> files, List<SupervisordImport.Note> notes) {

    private static final String HERE = "%(here)s";

    /**
     * Reads {@code main} and its includes.
     *
     * @param names the names {@code [include] files} is expanded with ({@code here}, {@code host_node_name},
     *              {@code ENV_X})
     */
    static SupervisordFiles read(Path main, Map<String, Object> names) throws ImportException {
        Map<String, IniSection> sections = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>(List.of(main));
        List<SupervisordImport.Note> notes = new ArrayList<>();
        IniFile.read(main, text(main), sections);
        IniSection include = sections.get("include");
        if (include != null) {
            replaceHere(sections, main);
            IniSection.Entry globs = include.get("files").orElseThrow(() -> new ImportException(
                    main + ":" + include.line() + ": [include] has no \"files\" option"));
            String where = main + ":" + globs.line() + ": [include] files";
            Path base = main.toAbsolutePath().normalize().getParent();
            for (String glob : Expansion.expand(globs.value(), names, where).split("\\s+")) {
                if (glob.isEmpty()) {
                    continue;
                }
                List<Path> matches = Glob.matches(base.resolve(glob));
                if (matches.isEmpty()) {
                    notes.add(new SupervisordImport.Note("include", "files", "no file matches "
                            + base.resolve(glob) + " (supervisord only warns about it too)"));
                }
                for (Path file : matches) {
                    IniFile.read(file, text(file), sections);
                    files.add(file);
                    replaceHere(sections, file);
                }
            }
            if (sections.get("include").options().values().stream().anyMatch(e -> !e.file().equals(main))) {
                notes.add(new SupervisordImport.Note("include", "files", "an included file has an [include]"
                        + " section: supervisord does not follow it, neither does baton import"));
            }
        }
        IniSection defaults = sections.remove(IniFile.DEFAULT);
        if (defaults != null) {
            for (IniSection section : sections.values()) {
                defaults.options().forEach((key, entry) -> {
                    if (!section.has(key)) {
                        section.put(key, entry);
                    }
                });
            }
            notes.add(new SupervisordImport.Note(IniFile.DEFAULT, "", "its options apply to every section, as"
                    + " they do in supervisord; the output has them written out in each"));
        }
        return new SupervisordFiles(List.copyOf(sections.values()), files, notes);
    }

    /** supervisord's {@code expand_here}: in the values read from {@code file}, {@code %(here)s} is its folder. */
    private static void replaceHere(Map<String, IniSection> sections, Path file) {
        String here = file.toAbsolutePath().normalize().getParent().toString();
        for (IniSection section : sections.values()) {
            for (Map.Entry<String, IniSection.Entry> option : List.copyOf(section.options().entrySet())) {
                IniSection.Entry entry = option.getValue();
                if (entry.file().equals(file) && entry.value().contains(HERE)) {
                    section.put(option.getKey(), new IniSection.Entry(entry.value().replace(HERE, here),
                            entry.file(), entry.line()));
                }
            }
        }
    }

    /** The file's text, strictly UTF-8 (supervisord reads with the locale's encoding, UTF-8 on Debian). */
    private static String text(Path file) throws ImportException {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new ImportException(file + ": cannot read: no such file");
        } catch (AccessDeniedException e) {
            throw new ImportException(file + ": cannot read: permission denied");
        } catch (CharacterCodingException e) {
            throw new ImportException(file + ": cannot read: not valid UTF-8");
        } catch (IOException e) {
            throw new ImportException(file + ": cannot read: "
                    + (Files.isDirectory(file) ? "is a directory" : e.getMessage()));
        }
    }

    /** Python's {@code glob.glob}: {@code * ? [...]} within one path component, hidden names only by {@code .*}. */
    static final class Glob {

        private Glob() {
        }

        static List<Path> matches(Path pattern) {
            List<Path> found = new ArrayList<>();
            Path root = pattern.getRoot() == null ? Path.of("") : pattern.getRoot();
            walk(root, pattern, 0, found);
            found.sort((a, b) -> a.toString().compareTo(b.toString()));
            return found;
        }

        private static void walk(Path dir, Path pattern, int index, List<Path> found) {
            boolean last = index == pattern.getNameCount() - 1;
            String part = pattern.getName(index).toString();
            if (!magic(part)) {
                Path next = dir.resolve(part);
                if (last ? Files.exists(next, LinkOption.NOFOLLOW_LINKS) : Files.isDirectory(next)) {
                    if (last) {
                        found.add(next);
                    } else {
                        walk(next, pattern, index + 1, found);
                    }
                }
                return;
            }
            Pattern regex = fnmatch(part);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.toString().isEmpty() ? Path.of(".")
                    : dir)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.startsWith(".") && !part.startsWith(".") || !regex.matcher(name).matches()) {
                        continue;
                    }
                    if (last) {
                        found.add(dir.resolve(name));
                    } else if (Files.isDirectory(entry)) {
                        walk(dir.resolve(name), pattern, index + 1, found);
                    }
                }
            } catch (IOException e) {
                // an unreadable folder matches nothing, as in Python
            }
        }

        private static boolean magic(String part) {
            return part.indexOf('*') >= 0 || part.indexOf('?') >= 0 || part.indexOf('[') >= 0;
        }

        /** Python's {@code fnmatch.translate}. */
        static Pattern fnmatch(String glob) {
            StringBuilder regex = new StringBuilder();
            int i = 0;
            while (i < glob.length()) {
                char c = glob.charAt(i++);
                if (c == '*') {
                    regex.append(".*");
                } else if (c == '?') {
                    regex.append('.');
                } else if (c == '[') {
                    int j = i;
                    if (j < glob.length() && glob.charAt(j) == '!') {
                        j++;
                    }
                    if (j < glob.length() && glob.charAt(j) == ']') {
                        j++;
                    }
                    while (j < glob.length() && glob.charAt(j) != ']') {
                        j++;
                    }
                    if (j >= glob.length()) {
                        regex.append("\\[");
                        continue;
                    }
                    String set = glob.substring(i, j);
                    i = j + 1;
                    boolean negate = set.startsWith("!");
                    if (negate) {
                        set = set.substring(1);
                    }
                    StringBuilder members = new StringBuilder();
                    for (char m : set.toCharArray()) {
                        members.append(m == '-' ? "-" : m == '\\' || m == '[' || m == ']' || m == '^' || m == '&'
                                ? "\\" + m : String.valueOf(m));
                    }
                    regex.append('[').append(negate ? "^" : "").append(members).append(']');
                } else {
                    regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(regex.toString(), Pattern.DOTALL);
        }
    }
}
